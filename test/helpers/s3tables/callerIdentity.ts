/** Prints STS GetCallerIdentity for the credentials in the environment (inside the namespace). */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

const sts = new STSClient({});
console.log(JSON.stringify(await sts.send(new GetCallerIdentityCommand({}))));
