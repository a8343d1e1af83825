import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatArchiveKey } from '../../job/source/archiveKey.ts';
import {
  compareSequencers,
  decodeEventKey,
  encodeEventKey,
  parseNotification,
} from '../../job/source/objectCreatedEvent.ts';
import {
  OPENAQ_OBJECT_CREATED_TOPIC,
  objectCreatedNotification,
  sequencerAt,
} from '../../scripts/mirror/objectCreatedNotification.ts';

const fixture = (name: string): string =>
  readFileSync(join(import.meta.dirname, '..', 'fixtures', 'notifications', name), 'utf8');

const AWS_RECORD = {
  eventName: 'ObjectCreated:Put',
  bucket: 'mybucket',
  key: 'HappyFace.jpg',
  size: 1024,
  etag: 'd41d8cd98f00b204e9800998ecf8427e',
  sequencer: '0055AED6DCD90281E5',
};

describe('parseNotification', () => {
  it("reads AWS's example S3 event inside AWS's SNS envelope", () => {
    expect(parseNotification(fixture('sns-envelope-aws-example.json'))).toEqual({
      kind: 'records',
      records: [AWS_RECORD],
    });
  });

  it('reads the S3 event delivered raw (no envelope)', () => {
    expect(parseNotification(fixture('s3-event-aws-example.json'))).toEqual({
      kind: 'records',
      records: [AWS_RECORD],
    });
  });

  it("decodes the key of the mirror's notification back to the archive key", () => {
    const key = formatArchiveKey(2178, '2023-02-22');
    const body = objectCreatedNotification({
      bucket: 'openaq-data-archive',
      key,
      size: 2077,
      etag: '"0f343b0931126a20f133d67c2b018a3b"',
      sequencer: sequencerAt(new Date(0), 1),
    });
    const envelope = JSON.parse(body) as { TopicArn: string; Message: string };
    expect(envelope.TopicArn).toBe(OPENAQ_OBJECT_CREATED_TOPIC);
    // As S3 sends it: `=` percent-encoded, `/` kept.
    expect(envelope.Message).toContain('records/csv.gz/locationid%3D2178/year%3D2023/month%3D02/');
    expect(parseNotification(body)).toEqual({
      kind: 'records',
      records: [
        {
          eventName: 'ObjectCreated:Put',
          bucket: 'openaq-data-archive',
          key,
          size: 2077,
          etag: '0f343b0931126a20f133d67c2b018a3b',
          sequencer: sequencerAt(new Date(0), 1),
        },
      ],
    });
  });

  it('knows the test event S3 sends when notifications are configured', () => {
    const test = JSON.stringify({
      Service: 'Amazon S3',
      Event: 's3:TestEvent',
      Time: '2026-12-01T00:00:00.000Z',
      Bucket: 'openaq-data-archive',
      RequestId: 'X',
      HostId: 'Y',
    });
    expect(parseNotification(JSON.stringify({ Type: 'Notification', Message: test }))).toEqual({
      kind: 'test',
    });
  });

  it.each([
    ['not JSON', 'hello', 'the body is not JSON'],
    [
      'an envelope whose Message is not JSON',
      '{"Type":"Notification","Message":"{oops"}',
      'the SNS Message is not JSON',
    ],
    [
      'a subscription confirmation',
      '{"Type":"SubscriptionConfirmation","Message":"x"}',
      'Type "Notification"',
    ],
    ['no Records', '{"Type":"Notification","Message":"{}"}', 'no Records array'],
    [
      'a record without a key',
      '{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"sequencer":"01"}}}]}',
      'Records[0]',
    ],
    [
      'a bad sequencer',
      '{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"k","sequencer":"zz"}}}]}',
      'not hex',
    ],
    [
      'a bad percent-encoding',
      '{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"a%E0%A4%A","sequencer":"01"}}}]}',
      'not URL-encoded',
    ],
  ])('calls %s malformed, with the reason', (_, body, reason) => {
    const parsed = parseNotification(body);
    expect(parsed.kind).toBe('malformed');
    expect(parsed.kind === 'malformed' && parsed.reason).toMatch(/^notification: /);
    expect(parsed.kind === 'malformed' && parsed.reason).toContain(reason);
  });
});

describe('event keys and sequencers', () => {
  it('round-trips keys with spaces, plus signs and non-ASCII text', () => {
    for (const key of ['a b+c/ü=1.csv.gz', 'records/csv.gz/locationid=7/x']) {
      expect(decodeEventKey(encodeEventKey(key))).toBe(key);
    }
    expect(encodeEventKey('a b')).toBe('a+b');
    expect(decodeEventKey('red+flower.jpg')).toBe('red flower.jpg');
  });

  it('orders sequencers of different lengths as AWS says (left-padded hex)', () => {
    expect(compareSequencers('0055AED6DCD90281E5', '0055AED6DCD90281E6')).toBeLessThan(0);
    expect(compareSequencers('FF', '0100')).toBeLessThan(0);
    expect(compareSequencers('00ff', 'FF')).toBe(0);
    expect(compareSequencers(sequencerAt(new Date(5), 2), sequencerAt(new Date(5), 1))).toBe(1);
  });
});
