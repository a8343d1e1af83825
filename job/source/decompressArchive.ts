import { isAscii } from 'node:buffer';
import { constants, crc32, gunzipSync, inflateRawSync } from 'node:zlib';

/** How much of a rejected file is kept in `rawText`, in characters. */
export const RAW_TEXT_LIMIT = 1024;
/** Real files are 1–10 KB compressed; anything inflating past this is not an archive file. */
const MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

/** An archive body as text, or why it cannot be read and the text that could be kept. */
export type Decompressed =
  { text: string; validUtf8: boolean } | { reason: string; rawText: string };

/**
 * Gunzips an archive body and decodes it as UTF-8 (leniently when it is not valid, so that only
 * the rows with bad bytes are refused); a body that is not one whole gzip stream is refused.
 */
export function decompress(body: Uint8Array): Decompressed {
  if (body.length < 2 || body[0] !== 0x1f || body[1] !== 0x8b) {
    return {
      reason: 'not a gzip file',
      rawText: lenientUtf8.decode(body.subarray(0, RAW_TEXT_LIMIT)),
    };
  }
  let bytes: Buffer;
  try {
    bytes = gunzipSync(body, { maxOutputLength: MAX_DECOMPRESSED_BYTES });
  } catch (err) {
    const tooLarge = (err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
    const member = tooLarge ? undefined : firstGzipMember(body);
    if (member !== undefined && member.trailingBytes > 0) {
      return {
        reason: `a complete gzip stream followed by ${member.trailingBytes} bytes that are not gzip`,
        rawText: lenientUtf8.decode(member.bytes.subarray(0, RAW_TEXT_LIMIT * 4)),
      };
    }
    return {
      reason: tooLarge
        ? `decompressed file is larger than ${MAX_DECOMPRESSED_BYTES} bytes`
        : 'truncated or corrupt gzip stream',
      rawText: tooLarge ? '' : readablePrefix(body),
    };
  }
  // Almost every file is plain ASCII, which reads as Latin-1 without the decoder's validation.
  if (isAscii(bytes)) return { text: bytes.toString('latin1'), validUtf8: true };
  try {
    return { text: strictUtf8.decode(bytes), validUtf8: true };
  } catch {
    return { text: lenientUtf8.decode(bytes), validUtf8: false };
  }
}

/**
 * The first gzip member of `body`, when it is whole (its CRC and size check out), and how many
 * bytes follow it: Node's gunzip refuses a file with anything but another member after the first.
 */
function firstGzipMember(body: Uint8Array): { bytes: Buffer; trailingBytes: number } | undefined {
  const flags = body[3] ?? 0;
  let at = 10;
  if (flags & 4) at += 2 + (body[at] ?? 0) + 256 * (body[at + 1] ?? 0); // FEXTRA
  if (flags & 8) at = body.indexOf(0, at) + 1; // FNAME
  if (flags & 16) at = body.indexOf(0, at) + 1; // FCOMMENT
  if (flags & 2) at += 2; // FHCRC
  if (at <= 0 || at > body.length) return undefined;
  try {
    const { buffer, engine } = inflateRawSync(body.subarray(at), {
      info: true,
      maxOutputLength: MAX_DECOMPRESSED_BYTES,
    }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
    const end = at + engine.bytesWritten;
    const trailer = Buffer.from(body.subarray(end, end + 8));
    if (trailer.length < 8) return undefined;
    if (
      trailer.readUInt32LE(0) !== crc32(buffer) ||
      trailer.readUInt32LE(4) !== buffer.length % 2 ** 32
    )
      return undefined;
    return { bytes: buffer, trailingBytes: body.length - end - 8 };
  } catch {
    return undefined;
  }
}

/** What a damaged gzip stream still yields before the damage. */
function readablePrefix(body: Uint8Array): string {
  try {
    const partial = gunzipSync(body, {
      finishFlush: constants.Z_SYNC_FLUSH,
      maxOutputLength: MAX_DECOMPRESSED_BYTES,
    });
    return lenientUtf8.decode(partial.subarray(0, RAW_TEXT_LIMIT * 4)).slice(0, RAW_TEXT_LIMIT);
  } catch {
    return '';
  }
}
