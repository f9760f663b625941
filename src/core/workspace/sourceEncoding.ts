/**
 * Python source files as bytes <-> text, the way Python reads them (PEP 263, PEP 3120): UTF-8 unless a coding
 * cookie on line 1 or 2 says otherwise, a UTF-8 BOM allowed first. The text the planner sees never contains the
 * BOM (so an import inserted at offset 0 lands after it), and writing puts the file back in its own encoding.
 * A file we could not write back exactly is readable but marked with the reason, and never written.
 */
import { TextDecoder } from 'node:util';

export interface SourceEncoding {
  /** The Python codec name as declared (normalised), or 'utf-8'. */
  readonly name: string;
  readonly bom: boolean;
  /** Why the file must not be written, if it must not (undeclared non-UTF-8 bytes, a codec we cannot encode). */
  readonly notWritable?: string;
}

export interface DecodedSource {
  readonly text: string;
  readonly encoding: SourceEncoding;
}

export class EncodingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncodingError';
  }
}

export const UTF8: SourceEncoding = { name: 'utf-8', bom: false };

const BOM = [0xef, 0xbb, 0xbf];

function startsWithBom(bytes: Uint8Array): boolean {
  return bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2];
}

/** PEP 263's own definition of the cookie, applied to one line (decoded as Latin-1, so any byte is a character). */
const CODING_COOKIE = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;

/** Python codec names that are byte-for-byte Latin-1 (WHATWG's "latin1" label means windows-1252, which is not). */
const LATIN1_NAMES = new Set(['latin-1', 'latin1', 'iso-8859-1', 'iso8859-1', 'l1', 'iso-ir-100', 'cp819', 'latin']);
const UTF8_NAMES = new Set(['utf-8', 'utf8', 'utf-8-sig', 'u8', 'utf']);
const ASCII_NAMES = new Set(['ascii', 'us-ascii', '646']);

/** The coding cookie of the first two lines, normalised the way Python normalises codec names (case, `_` = `-`). */
export function codingCookie(bytes: Uint8Array): string | undefined {
  let start = startsWithBom(bytes) ? BOM.length : 0;
  for (let line = 0; line < 2 && start < bytes.length; line++) {
    let end = bytes.indexOf(0x0a, start);
    end = end === -1 ? bytes.length : end;
    const text = Buffer.from(bytes.subarray(start, end)).toString('latin1');
    const match = CODING_COOKIE.exec(text);
    if (match) {
      return match[1]!.toLowerCase().replaceAll('_', '-');
    }
    // Only a comment or blank first line lets the cookie be on line 2 (PEP 263).
    if (!/^[ \t\f]*(#.*)?\r?$/.test(text)) {
      return undefined;
    }
    start = end + 1;
  }
  return undefined;
}

export function decodeSource(bytes: Uint8Array): DecodedSource {
  const bom = startsWithBom(bytes);
  const body = bom ? bytes.subarray(BOM.length) : bytes;
  const cookie = codingCookie(bytes);
  if (cookie === undefined || UTF8_NAMES.has(cookie)) {
    const utf8 = tryDecode('utf-8', body);
    if (utf8 !== undefined) {
      return { text: utf8, encoding: { name: 'utf-8', bom } };
    }
    // Python would refuse this file too. Latin-1 reads every byte as one character, so analysis still works
    // and nothing is invented; writing it is refused rather than guessed at.
    return {
      text: Buffer.from(body).toString('latin1'),
      encoding: { name: 'utf-8', bom, notWritable: `it is not valid UTF-8 and declares no other encoding (PEP 263 coding cookie)` },
    };
  }
  if (bom) {
    // Python: "encoding problem: utf-8" when a BOM meets another cookie.
    return {
      text: Buffer.from(body).toString('latin1'),
      encoding: { name: cookie, bom, notWritable: `it starts with a UTF-8 BOM but declares coding ${cookie}` },
    };
  }
  const codec = singleByteCodec(cookie);
  if (codec !== undefined) {
    const text = codec.decode(body);
    if (text !== undefined) {
      return { text, encoding: { name: cookie, bom: false } };
    }
    return { text: Buffer.from(body).toString('latin1'), encoding: { name: cookie, bom: false, notWritable: `it is not valid ${cookie} as it declares` } };
  }
  const text = tryDecode(cookie, body);
  return text !== undefined
    ? { text, encoding: { name: cookie, bom: false, notWritable: `Catalyst can write UTF-8 and single-byte encodings, not ${cookie}` } }
    : {
        text: Buffer.from(body).toString('latin1'),
        encoding: { name: cookie, bom: false, notWritable: `its declared encoding ${cookie} is unknown or does not match its bytes` },
      };
}

/** The text in the file's own encoding, BOM first if it had one. Throws EncodingError when that is not possible. */
export function encodeSource(text: string, encoding: SourceEncoding, file = 'the file'): Uint8Array {
  if (encoding.notWritable !== undefined) {
    throw new EncodingError(`${file}: ${encoding.notWritable}`);
  }
  if (UTF8_NAMES.has(encoding.name)) {
    const body = Buffer.from(text, 'utf8');
    return encoding.bom ? Buffer.concat([Buffer.from(BOM), body]) : body;
  }
  const codec = singleByteCodec(encoding.name);
  const bytes = codec?.encode(text);
  if (bytes === undefined) {
    const bad = codec === undefined ? undefined : [...text].find((ch) => codec.encode(ch) === undefined);
    throw new EncodingError(
      `${file}: its encoding ${encoding.name} cannot represent ${bad === undefined ? 'the new text' : `"${bad}" (U+${bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`}`,
    );
  }
  return bytes;
}

function tryDecode(label: string, bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder(label, { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

export interface SingleByteCodec {
  decode(bytes: Uint8Array): string | undefined;
  encode(text: string): Uint8Array | undefined;
}

const codecs = new Map<string, SingleByteCodec | undefined>();

/** windows-1252 bytes 0x80-0x9F (WHATWG Encoding index); U+FFFD marks the five bytes it leaves undefined. */
const WINDOWS_1252_80_9F =
  '\u20ac\ufffd\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\ufffd\u017d\ufffd\ufffd\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\ufffd\u017e\u0178';

function singleByteCodec(name: string): SingleByteCodec | undefined {
  if (!codecs.has(name)) {
    codecs.set(name, buildSingleByteCodec(name));
  }
  return codecs.get(name);
}

/**
 * A codec where every character is one byte (ASCII, Latin-1, windows-125x, ISO-8859-x, KOI8...), built from the
 * platform's decoder byte by byte, so encoding is its exact inverse. Multi-byte encodings give undefined.
 * Exported for its tests: singleByteCodec() caches what it builds, per process.
 */
export function buildSingleByteCodec(name: string): SingleByteCodec | undefined {
  const table: (string | undefined)[] = [];
  if (ASCII_NAMES.has(name)) {
    for (let b = 0; b < 256; b++) table.push(b < 0x80 ? String.fromCharCode(b) : undefined);
  } else if (LATIN1_NAMES.has(name)) {
    for (let b = 0; b < 256; b++) table.push(String.fromCharCode(b));
  } else {
    let decoder: TextDecoder;
    try {
      decoder = new TextDecoder(name, { fatal: true });
    } catch {
      return undefined;
    }
    // Single-byte means: every byte of ASCII maps to itself and no byte needs a second one.
    for (let b = 0; b < 256; b++) {
      let ch: string | undefined;
      try {
        ch = decoder.decode(Uint8Array.of(b));
      } catch {
        ch = undefined;
      }
      table.push(ch !== undefined && ch.length === 1 ? ch : undefined);
    }
    if (decoder.encoding === 'windows-1252') {
      // Some Node versions decode windows-1252 as Latin-1 (nodejs/node#56542): use the standard's table for 0x80-0x9F.
      [...WINDOWS_1252_80_9F].forEach((ch, i) => (table[0x80 + i] = ch === '\ufffd' ? undefined : ch));
    }
    const ascii = table.slice(0, 0x80).every((ch, b) => ch === String.fromCharCode(b));
    if (
      !ascii ||
      decoder.encoding === 'utf-8' ||
      ['shift_jis', 'euc-jp', 'iso-2022-jp', 'gbk', 'gb18030', 'big5', 'euc-kr', 'utf-16le', 'utf-16be'].includes(decoder.encoding)
    ) {
      return undefined;
    }
  }
  const reverse = new Map<string, number>();
  table.forEach((ch, b) => ch !== undefined && !reverse.has(ch) && reverse.set(ch, b));
  return {
    decode(bytes) {
      let text = '';
      for (const b of bytes) {
        const ch = table[b];
        if (ch === undefined) return undefined;
        text += ch;
      }
      return text;
    },
    encode(text) {
      const out = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) {
        const b = reverse.get(text[i]!);
        if (b === undefined) return undefined;
        out[i] = b;
      }
      return out;
    },
  };
}
