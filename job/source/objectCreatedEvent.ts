/**
 * OpenAQ's object-created notifications as an SQS message carries them: S3 publishes an event
 * (`{"Records":[{eventName, s3: {bucket, object: {key, size, eTag, sequencer}}}]}`) to the SNS topic
 * `openaq-data-archive-object_created`; SNS delivers it to our queue inside its envelope
 * (`{"Type":"Notification", "Message": "<the S3 event as a JSON string>", …}`). A raw-delivery
 * subscription would hand over the S3 event itself: both are read.
 */

/** One S3 event record, the key decoded. */
export interface ObjectCreatedRecord {
  /** e.g. `ObjectCreated:Put`, `ObjectCreated:CompleteMultipartUpload`. */
  readonly eventName: string;
  readonly bucket: string;
  /** The object key as stored (S3 sends it URL-encoded, spaces as `+`). */
  readonly key: string;
  readonly size: number | undefined;
  readonly etag: string | undefined;
  /** Hex; orders the events of one key (a later write has a greater sequencer). */
  readonly sequencer: string;
}

export type ParsedNotification =
  | { readonly kind: 'records'; readonly records: readonly ObjectCreatedRecord[] }
  /** `s3:TestEvent`, sent once when a bucket's notification configuration is set. */
  | { readonly kind: 'test' }
  | { readonly kind: 'malformed'; readonly reason: string };

/** Reads one SQS message body; never throws (a bad message is `malformed`, with the reason). */
export function parseNotification(body: string): ParsedNotification {
  let outer: unknown;
  try {
    outer = JSON.parse(body);
  } catch {
    return malformed(`the body is not JSON: ${preview(body)}`);
  }
  let event: unknown = outer;
  if (isObject(outer) && outer.Type !== undefined) {
    if (outer.Type !== 'Notification' || typeof outer.Message !== 'string') {
      return malformed(
        `an SNS envelope must have Type "Notification" and a string Message, got Type ${JSON.stringify(outer.Type)}`,
      );
    }
    try {
      event = JSON.parse(outer.Message);
    } catch {
      return malformed(`the SNS Message is not JSON: ${preview(outer.Message)}`);
    }
  }
  if (!isObject(event)) return malformed(`the S3 event is not a JSON object: ${preview(body)}`);
  if (event.Event === 's3:TestEvent') return { kind: 'test' };
  if (!Array.isArray(event.Records)) {
    return malformed(`the S3 event has no Records array: ${preview(JSON.stringify(event))}`);
  }
  const records: ObjectCreatedRecord[] = [];
  for (const [index, record] of event.Records.entries()) {
    const parsed = parseRecord(record);
    if (typeof parsed === 'string') return malformed(`Records[${index}]: ${parsed}`);
    records.push(parsed);
  }
  return { kind: 'records', records };
}

function parseRecord(record: unknown): ObjectCreatedRecord | string {
  if (!isObject(record)) return 'not an object';
  const { eventName, s3 } = record;
  if (typeof eventName !== 'string') return 'no eventName';
  if (!isObject(s3) || !isObject(s3.bucket) || !isObject(s3.object))
    return 'no s3.bucket/s3.object';
  const { name } = s3.bucket;
  const { key, size, eTag, sequencer } = s3.object;
  if (typeof name !== 'string' || typeof key !== 'string' || typeof sequencer !== 'string') {
    return 'no s3.bucket.name, s3.object.key or s3.object.sequencer';
  }
  if (!/^[0-9A-Fa-f]+$/.test(sequencer)) return `sequencer ${JSON.stringify(sequencer)} is not hex`;
  const decoded = decodeEventKey(key);
  if (decoded === undefined) return `key ${JSON.stringify(key)} is not URL-encoded text`;
  return {
    eventName,
    bucket: name,
    key: decoded,
    size: typeof size === 'number' ? size : undefined,
    etag: typeof eTag === 'string' ? eTag.replaceAll('"', '') : undefined,
    sequencer,
  };
}

/** S3 event keys are form-encoded: `+` is a space, `%XX` a byte of UTF-8. */
export function decodeEventKey(key: string): string | undefined {
  try {
    return decodeURIComponent(key.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}

/** How S3 writes a key into an event: percent-encoded UTF-8, `/` kept, spaces as `+`. */
export function encodeEventKey(key: string): string {
  return encodeURIComponent(key).replaceAll('%2F', '/').replaceAll('%20', '+');
}

/**
 * Orders two sequencers of the same key: AWS says to compare them as hex strings after padding
 * the shorter with leading zeros. Negative when `a` is older.
 */
export function compareSequencers(a: string, b: string): number {
  const width = Math.max(a.length, b.length);
  const [x, y] = [a.toUpperCase().padStart(width, '0'), b.toUpperCase().padStart(width, '0')];
  return x < y ? -1 : x > y ? 1 : 0;
}

const malformed = (reason: string): ParsedNotification => ({
  kind: 'malformed',
  reason: `notification: ${reason}`,
});

const preview = (text: string): string =>
  JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
