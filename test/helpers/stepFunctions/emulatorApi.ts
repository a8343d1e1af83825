/**
 * The few AWS API calls the state-machine test makes to the emulator (ministack, started without
 * AUTH, so requests need no signature; the Authorization header only names the service and region
 * it routes by). Step Functions speaks AWS JSON 1.0, SNS the query protocol; the project has no SDK
 * client for either, and needs none elsewhere.
 */
const REGION = 'us-east-1';

const authorization = (service: string): string =>
  `AWS4-HMAC-SHA256 Credential=test/20260101/${REGION}/${service}/aws4_request, SignedHeaders=host, Signature=0`;

/** A Step Functions action (`CreateStateMachine`, `StartExecution`, …) and its JSON answer. */
export async function stepFunctions<T>(
  endpoint: string,
  action: string,
  body: Readonly<Record<string, unknown>>,
): Promise<T> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.0',
      'X-Amz-Target': `AWSStepFunctions.${action}`,
      Authorization: authorization('states'),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`emulator: states ${action} answered ${response.status}: ${text}`);
  }
  return (text === '' ? {} : JSON.parse(text)) as T;
}

/** Creates an SNS topic; returns its ARN. */
export async function createTopic(endpoint: string, name: string): Promise<string> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: authorization('sns'),
    },
    body: new URLSearchParams({ Action: 'CreateTopic', Name: name, Version: '2010-03-31' }),
  });
  const text = await response.text();
  const arn = /<TopicArn>([^<]+)<\/TopicArn>/.exec(text)?.[1];
  if (!response.ok || arn === undefined) {
    throw new Error(`emulator: sns CreateTopic ${name} answered ${response.status}: ${text}`);
  }
  return arn;
}
