/** Python source bytes <-> text as Python reads them (PEP 263, PEP 3120), and back without loss or refusal. */
import assert from 'node:assert/strict';
import { codingCookie, decodeSource, encodeSource, EncodingError } from '../../src/core/workspace/sourceEncoding';

const bytes = (text: string, encoding: BufferEncoding = 'utf8') => Buffer.from(text, encoding);

describe('sourceEncoding', () => {
  it('finds the coding cookie on line 1 or 2 only, after a comment or blank line, normalised', () => {
    assert.equal(codingCookie(bytes('# -*- coding: Latin_1 -*-\n')), 'latin-1');
    assert.equal(codingCookie(bytes('#!/usr/bin/env python3\n# vim: set fileencoding=cp1252 :\n')), 'cp1252');
    assert.equal(codingCookie(bytes('import os\n# coding: latin-1\n')), undefined, 'line 2 counts only after a comment or blank line');
    assert.equal(codingCookie(bytes('\n\n# coding: latin-1\n')), undefined, 'not on line 3');
    assert.equal(codingCookie(bytes('x = 1  # no cookie\n')), undefined);
  });

  it('round-trips UTF-8 with and without a BOM, and single-byte encodings, byte for byte', () => {
    const cases: Buffer[] = [
      bytes('x = "é ✓"\r\n'),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes('x = "é"\n')]),
      bytes('# coding: latin-1\nx = "café \u00ff"\n', 'latin1'),
      Buffer.concat([bytes('# coding: cp1252\nx = "'), Buffer.from([0x80, 0x93, 0x94]), bytes('"\n')]),
      Buffer.concat([bytes('# coding: iso-8859-15\nx = "'), Buffer.from([0xa4]), bytes('"\n')]),
    ];
    for (const original of cases) {
      const decoded = decodeSource(original);
      assert.equal(decoded.encoding.notWritable, undefined, decoded.encoding.name);
      assert.ok(!decoded.text.includes('\ufeff') && !decoded.text.includes('\ufffd'), decoded.text);
      assert.deepEqual(Buffer.from(encodeSource(decoded.text, decoded.encoding)), original, decoded.encoding.name);
    }
    assert.equal(decodeSource(cases[3]!).text, '# coding: cp1252\nx = "\u20ac\u201c\u201d"\n');
    assert.equal(decodeSource(cases[4]!).text.includes('\u20ac'), true, 'ISO-8859-15 0xA4 is the euro sign');
  });

  it('reads what it cannot write back, and says why it will not write it', () => {
    const cases: Array<[Buffer, RegExp]> = [
      [bytes('x = "café"\n', 'latin1'), /not valid UTF-8 and declares no other encoding/],
      [Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes('# coding: latin-1\n')]), /starts with a UTF-8 BOM but declares coding latin-1/],
      [
        Buffer.concat([bytes('# coding: shift_jis\nx = "'), Buffer.from([0x82, 0xa0]), bytes('"\n')]),
        /can write UTF-8 and single-byte encodings, not shift-jis/,
      ],
      [bytes('# coding: klingon\nx = 1\n'), /declared encoding klingon is unknown/],
    ];
    for (const [original, reason] of cases) {
      const decoded = decodeSource(original);
      assert.match(decoded.encoding.notWritable ?? '', reason);
      assert.throws(
        () => encodeSource(decoded.text, decoded.encoding, 'main.py'),
        (error: Error) => error instanceof EncodingError && error.message.startsWith('main.py: '),
      );
    }
    assert.equal(decodeSource(cases[2]![0]).text.includes('\u3042'), true, 'Shift JIS is still read correctly for check');
  });
});
