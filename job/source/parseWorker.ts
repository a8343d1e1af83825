/**
 * A parser thread (see ParserPool): reads each archive file it is sent and posts back the verdict
 * with the good rows packed, their buffers transferred.
 */
import { parentPort } from 'node:worker_threads';
import { MeasurementColumns } from '../model/measurementColumns.ts';
import { packedBuffers } from '../model/packedRows.ts';
import { readPackedFile, type ParseRequest, type ParseResponse } from './readPackedFile.ts';

const port = parentPort;
if (port === null) throw new Error('parser: parseWorker.ts runs as a worker thread only');
const columns = new MeasurementColumns();
port.on('message', (request: ParseRequest) => {
  let response: ParseResponse;
  const started = performance.now();
  try {
    const verdict = readPackedFile(request.file, columns);
    response = { id: request.id, verdict, busyMs: performance.now() - started };
  } catch (err) {
    response = {
      id: request.id,
      error: err instanceof Error ? (err.stack ?? err.message) : String(err),
    };
  }
  const verdict = 'verdict' in response ? response.verdict : undefined;
  port.postMessage(response, verdict?.kind === 'parsed' ? packedBuffers(verdict.rows) : []);
});
