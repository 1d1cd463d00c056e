/**
 * What a file's bytes become before counting: the text a model would be sent, or a reason to skip.
 *
 * Decisions (each is covered by test/unit/tokenizer/fileText.test.ts):
 * - **UTF-8 BOM** (EF BB BF): stripped, as editors and file readers do before text reaches a prompt;
 *   `hadUtf8Bom` reports it. It is not counted.
 * - **UTF-16 with a BOM** (FF FE or FE FF): decoded as UTF-16 LE/BE text, BOM dropped. Unpaired
 *   surrogates become U+FFFD and count as invalid sequences. UTF-16 without a BOM has NUL bytes for
 *   ASCII text, so it is reported as binary; UTF-32 is reported as unsupported.
 * - **Invalid UTF-8**: each maximal invalid subsequence becomes one U+FFFD (exactly what
 *   `TextDecoder` and `Buffer.toString('utf8')` do, so it matches what other tools would send) and is
 *   counted in `invalidUtf8Sequences`. If more than {@link maxReplacementShare} of the decoded
 *   characters are replacements, the file is treated as binary instead.
 * - **Binary**: a NUL byte anywhere, or a known binary signature (PNG, JPEG, GIF, PDF, ZIP, gzip,
 *   SQLite, WebAssembly, ELF, …), gives `{ kind: 'binary', reason }` with a specific reason.
 */
export type FileText =
  | {
      readonly kind: 'text';
      /** The decoded text, without a BOM. */
      readonly text: string;
      /** The file started with a UTF-8 BOM, which was stripped. */
      readonly hadUtf8Bom: boolean;
      /** Invalid byte sequences replaced by U+FFFD (UTF-8), or unpaired surrogates (UTF-16). */
      readonly invalidUtf8Sequences: number;
      /** How the bytes were decoded. */
      readonly encodingDetected: 'utf-8' | 'utf-16le' | 'utf-16be';
    }
  | {
      readonly kind: 'binary';
      /** Human-readable, e.g. "PNG image signature" or "contains NUL bytes (binary)". */
      readonly reason: string;
    };

/** Above this share of U+FFFD replacements among decoded characters, undecodable bytes mean binary. */
export const maxReplacementShare = 0.3;

/** Files shorter than this are never judged binary by their replacement share alone. */
const minBytesForReplacementShare = 32;

interface Signature {
  readonly bytes: readonly number[];
  readonly offset?: number;
  readonly reason: string;
}

const ascii = (text: string): number[] => Array.from(text, (ch) => ch.charCodeAt(0));

// Checked before the NUL scan so the reason names the format. Only signatures long or distinctive
// enough that no plausible text file starts with them.
const signatures: readonly Signature[] = [
  { bytes: [0x89, ...ascii('PNG\r\n'), 0x1a, 0x0a], reason: 'PNG image signature' },
  { bytes: [0xff, 0xd8, 0xff], reason: 'JPEG image signature' },
  { bytes: ascii('GIF87a'), reason: 'GIF image signature' },
  { bytes: ascii('GIF89a'), reason: 'GIF image signature' },
  { bytes: ascii('WEBP'), offset: 8, reason: 'WebP image signature' },
  { bytes: ascii('%PDF-'), reason: 'PDF document signature' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], reason: 'ZIP archive signature (zip, jar, docx, vsix…)' },
  { bytes: [0x1f, 0x8b], reason: 'gzip compressed data signature' },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], reason: '7-Zip archive signature' },
  { bytes: [...ascii('Rar!'), 0x1a, 0x07], reason: 'RAR archive signature' },
  { bytes: [...ascii('SQLite format 3'), 0x00], reason: 'SQLite database signature' },
  { bytes: [0x00, ...ascii('asm')], reason: 'WebAssembly module signature' },
  { bytes: [0x7f, ...ascii('ELF')], reason: 'ELF executable signature' },
  { bytes: [0xca, 0xfe, 0xba, 0xbe], reason: 'Java class or Mach-O universal binary signature' },
  { bytes: [0xcf, 0xfa, 0xed, 0xfe], reason: 'Mach-O executable signature' },
  { bytes: [0xfe, 0xed, 0xfa, 0xce], reason: 'Mach-O executable signature' },
  { bytes: [0xff, 0xfe, 0x00, 0x00], reason: 'UTF-32 LE text (not supported)' },
  { bytes: [0x00, 0x00, 0xfe, 0xff], reason: 'UTF-32 BE text (not supported)' },
];

function startsWith(bytes: Uint8Array, signature: Signature): boolean {
  const offset = signature.offset ?? 0;
  if (bytes.length < offset + signature.bytes.length) return false;
  return signature.bytes.every((byte, i) => bytes[offset + i] === byte);
}

/** Decodes a file's bytes the way the text would reach a model, or says why it is binary. */
export function decodeFileBytes(bytes: Uint8Array): FileText {
  for (const signature of signatures) {
    if (startsWith(bytes, signature)) return { kind: 'binary', reason: signature.reason };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return decodeUtf16(bytes, 'utf-16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return decodeUtf16(bytes, 'utf-16be');
  if (bytes.indexOf(0) >= 0) return { kind: 'binary', reason: 'contains NUL bytes (binary)' };

  const hadUtf8Bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const body = hadUtf8Bom ? bytes.subarray(3) : bytes;
  let text: string;
  let invalidUtf8Sequences = 0;
  try {
    // The fatal decoder is the fast path: almost every file is valid UTF-8.
    text = strictUtf8.decode(body);
  } catch {
    text = lenientUtf8.decode(body);
    invalidUtf8Sequences = countReplacements(text) - countEncodedReplacements(body);
    if (body.length >= minBytesForReplacementShare && invalidUtf8Sequences > text.length * maxReplacementShare) {
      return { kind: 'binary', reason: `not text: ${invalidUtf8Sequences} invalid UTF-8 sequences in ${body.length} bytes` };
    }
  }
  return { kind: 'text', text, hadUtf8Bom, invalidUtf8Sequences, encodingDetected: 'utf-8' };
}

// ignoreBOM: the BOM is handled (and reported) above, not silently by the decoder.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientUtf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

function decodeUtf16(bytes: Uint8Array, encoding: 'utf-16le' | 'utf-16be'): FileText {
  const body = bytes.subarray(2);
  // A trailing odd byte is an incomplete code unit; the decoder turns it into U+FFFD.
  const oddByte = body.length % 2;
  const units = body.length - oddByte;
  let unpaired = 0;
  const unit = (i: number): number =>
    encoding === 'utf-16le' ? (body[i] as number) | ((body[i + 1] as number) << 8) : ((body[i] as number) << 8) | (body[i + 1] as number);
  for (let i = 0; i < units; i += 2) {
    const u = unit(i);
    if (u >= 0xd800 && u <= 0xdbff) {
      const following = i + 2 < units ? unit(i + 2) : -1;
      if (following >= 0xdc00 && following <= 0xdfff) i += 2;
      else unpaired++;
    } else if (u >= 0xdc00 && u <= 0xdfff) {
      unpaired++;
    }
  }
  const text = new TextDecoder(encoding, { fatal: false, ignoreBOM: true }).decode(body);
  return { kind: 'text', text, hadUtf8Bom: false, invalidUtf8Sequences: unpaired + oddByte, encodingDetected: encoding };
}

function countReplacements(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\uFFFD'); i >= 0; i = text.indexOf('\uFFFD', i + 1)) count++;
  return count;
}

/** U+FFFD characters that were genuinely in the file (EF BF BD), so not decoding errors. */
function countEncodedReplacements(bytes: Uint8Array): number {
  let count = 0;
  for (let i = bytes.indexOf(0xef); i >= 0 && i + 2 < bytes.length; i = bytes.indexOf(0xef, i + 1)) {
    if (bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbd) count++;
  }
  return count;
}
