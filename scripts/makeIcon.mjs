// Writes media/icon.png (128×128): a bar-chart glyph on a dark tile, drawn pixel by pixel so the
// build needs no image tool. Run once; the PNG is committed.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const size = 128;
const pixels = Buffer.alloc(size * (size * 4 + 1));
const bars = [
  [28, 76],
  [48, 44],
  [68, 60],
  [88, 30],
];
for (let y = 0; y < size; y++) {
  pixels[y * (size * 4 + 1)] = 0;
  for (let x = 0; x < size; x++) {
    const inTile = Math.hypot(Math.max(0, Math.abs(x - 63.5) - 48), Math.max(0, Math.abs(y - 63.5) - 48)) < 14;
    let rgba = inTile ? [30, 41, 59, 255] : [0, 0, 0, 0];
    for (const [left, top] of bars) if (x >= left && x < left + 14 && y >= top && y < 100) rgba = [56, 189, 248, 255];
    if (inTile && y >= 102 && y < 106 && x >= 22 && x < 108) rgba = [148, 163, 184, 255];
    pixels.set(rgba, y * (size * 4 + 1) + 1 + x * 4);
  }
}
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc = (buf) => {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(crc(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, tail]);
};
const header = Buffer.alloc(13);
header.writeUInt32BE(size, 0);
header.writeUInt32BE(size, 4);
header.set([8, 6, 0, 0, 0], 8);
writeFileSync(
  'media/icon.png',
  Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(pixels)),
    chunk('IEND', Buffer.alloc(0)),
  ]),
);
