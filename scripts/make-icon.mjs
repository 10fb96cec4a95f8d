// SPDX-License-Identifier: Apache-2.0
// Draws media/icon.png (128×128): a shield with a check mark on a rounded square, our own design.
// Pure Node (zlib for the PNG deflate stream), so the icon can be regenerated without image tools.
//   node scripts/make-icon.mjs
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const SIZE = 128;
const SS = 4; // supersamples per axis, for smooth edges

const BG = [18, 38, 58];
const SHIELD_TOP = [46, 196, 182];
const SHIELD_BOTTOM = [20, 120, 160];
const CHECK = [255, 255, 255];

/** Signed-distance-free inside tests in unit coordinates (0..1). */
function inRoundedSquare(x, y) {
  const r = 0.18;
  const cx = Math.min(Math.max(x, r), 1 - r);
  const cy = Math.min(Math.max(y, r), 1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

function inShield(x, y) {
  const top = 0.17;
  const shoulder = 0.52;
  const bottom = 0.88;
  const half = 0.3;
  if (y < top || y > bottom) return false;
  // A gently arched top edge.
  if (y < top + 0.05 && Math.abs(x - 0.5) > half - (top + 0.05 - y) * 1.5) return false;
  if (y <= shoulder) return Math.abs(x - 0.5) <= half;
  // Below the shoulder the sides curve in to a point.
  const t = (y - shoulder) / (bottom - shoulder);
  return Math.abs(x - 0.5) <= half * Math.sqrt(Math.max(0, 1 - t * t));
}

function nearSegment(x, y, ax, ay, bx, by, w) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return (x - ax - t * dx) ** 2 + (y - ay - t * dy) ** 2 <= w * w;
}

function inCheck(x, y) {
  const w = 0.045;
  return nearSegment(x, y, 0.36, 0.5, 0.46, 0.61, w) || nearSegment(x, y, 0.46, 0.61, 0.65, 0.38, w);
}

function colourAt(x, y) {
  if (!inRoundedSquare(x, y)) return null;
  if (inCheck(x, y) && inShield(x, y)) return CHECK;
  if (inShield(x, y)) {
    const t = Math.min(1, Math.max(0, (y - 0.17) / 0.71));
    return SHIELD_TOP.map((c, i) => Math.round(c + (SHIELD_BOTTOM[i] - c) * t));
  }
  return BG;
}

function render() {
  const rows = [];
  for (let py = 0; py < SIZE; py++) {
    const row = Buffer.alloc(1 + SIZE * 4); // filter byte 0, then RGBA
    for (let px = 0; px < SIZE; px++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const c = colourAt((px + (sx + 0.5) / SS) / SIZE, (py + (sy + 0.5) / SS) / SIZE);
          if (!c) continue;
          r += c[0];
          g += c[1];
          b += c[2];
          a += 1;
        }
      }
      const o = 1 + px * 4;
      if (a > 0) {
        row[o] = Math.round(r / a);
        row[o + 1] = Math.round(g / a);
        row[o + 2] = Math.round(b / a);
      }
      row[o + 3] = Math.round((255 * a) / (SS * SS));
    }
    rows.push(row);
  }
  return Buffer.concat(rows);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(SIZE, 0);
ihdr.writeUInt32BE(SIZE, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', zlib.deflateSync(render(), { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const out = path.join(path.dirname(path.dirname(fileURLToPath(import.meta.url))), 'media', 'icon.png');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, png);
console.log(`${path.relative(process.cwd(), out)}: ${png.length} bytes`);
