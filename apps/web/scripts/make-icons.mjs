// Draws the app's icons into public/: an SVG for the page and PNGs for the
// web manifest (192 and 512 px, plus a maskable 512). One description of
// the shapes feeds both, so the PNGs are the SVG drawn by this script, not
// a second drawing. Run it again after changing a shape:
//
//   node apps/web/scripts/make-icons.mjs

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));

/** The drawing's own units: a 512-unit square. */
const UNITS = 512;
const BACKGROUND = [0x1d, 0x5f, 0xd1]; // --accent in styles.css
const WHITE = [0xff, 0xff, 0xff];
const PACKET = [0xb8, 0xd0, 0xfb];

/** A magnifying glass over three packets, each shape white or pale. */
const SHAPES = [
  { kind: 'ring', cx: 220, cy: 220, r: 128, width: 36, color: WHITE },
  { kind: 'bar', x1: 326, y1: 326, x2: 416, y2: 416, r: 28, color: WHITE },
  { kind: 'bar', x1: 160, y1: 178, x2: 270, y2: 178, r: 11, color: PACKET },
  { kind: 'bar', x1: 160, y1: 220, x2: 242, y2: 220, r: 11, color: PACKET },
  { kind: 'bar', x1: 160, y1: 262, x2: 284, y2: 262, r: 11, color: PACKET },
];
const CORNER = 104;
/**
 * A maskable icon may be cut to a circle of 80% of its width, so its
 * drawing shrinks to that and the background fills the whole square.
 */
const MASKABLE_SCALE = 0.8;
/** Samples per pixel side: 4 × 4 gives smooth edges. */
const SUPERSAMPLE = 4;

writeFileSync(`${PUBLIC_DIR}icon.svg`, svg());
writeFileSync(`${PUBLIC_DIR}icon-192.png`, png(192, false));
writeFileSync(`${PUBLIC_DIR}icon-512.png`, png(512, false));
writeFileSync(`${PUBLIC_DIR}icon-maskable-512.png`, png(512, true));

function svg() {
  const hex = (rgb) => `#${rgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
  const lines = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${UNITS} ${UNITS}">`,
    `  <rect width="${UNITS}" height="${UNITS}" rx="${CORNER}" fill="${hex(BACKGROUND)}"/>`,
  ];
  for (const s of SHAPES) {
    if (s.kind === 'ring') {
      lines.push(
        `  <circle cx="${s.cx}" cy="${s.cy}" r="${s.r}" fill="none" ` +
          `stroke="${hex(s.color)}" stroke-width="${s.width}"/>`,
      );
    } else {
      lines.push(
        `  <line x1="${s.x1}" y1="${s.y1}" x2="${s.x2}" y2="${s.y2}" ` +
          `stroke="${hex(s.color)}" stroke-width="${s.r * 2}" ` +
          `stroke-linecap="round"/>`,
      );
    }
  }
  lines.push('</svg>', '');
  return lines.join('\n');
}

/** The colour at a point of the drawing, or null outside the background. */
function colorAt(x, y, maskable) {
  if (!maskable && outsideRoundedSquare(x, y)) return null;
  // Maskable: the shapes shrink about the centre.
  const scale = maskable ? MASKABLE_SCALE : 1;
  const ux = (x - UNITS / 2) / scale + UNITS / 2;
  const uy = (y - UNITS / 2) / scale + UNITS / 2;
  let color = BACKGROUND;
  for (const s of SHAPES) {
    if (s.kind === 'ring') {
      const d = Math.hypot(ux - s.cx, uy - s.cy);
      if (Math.abs(d - s.r) <= s.width / 2) color = s.color;
    } else if (segmentDistance(ux, uy, s) <= s.r) {
      color = s.color;
    }
  }
  return color;
}

function outsideRoundedSquare(x, y) {
  const dx = Math.max(CORNER - x, x - (UNITS - CORNER), 0);
  const dy = Math.max(CORNER - y, y - (UNITS - CORNER), 0);
  return Math.hypot(dx, dy) > CORNER;
}

function segmentDistance(x, y, { x1, y1, x2, y2 }) {
  const vx = x2 - x1;
  const vy = y2 - y1;
  const t = Math.max(0, Math.min(1, ((x - x1) * vx + (y - y1) * vy) /
    (vx * vx + vy * vy)));
  return Math.hypot(x - (x1 + t * vx), y - (y1 + t * vy));
}

/** RGBA pixels, each the average of SUPERSAMPLE² samples. */
function pixels(size, maskable) {
  const out = new Uint8Array(size * size * 4);
  const step = UNITS / size / SUPERSAMPLE;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const x = (px * SUPERSAMPLE + sx + 0.5) * step;
          const y = (py * SUPERSAMPLE + sy + 0.5) * step;
          const c = colorAt(x, y, maskable);
          if (c === null) continue;
          sum[0] += c[0];
          sum[1] += c[1];
          sum[2] += c[2];
          sum[3] += 255;
        }
      }
      const samples = SUPERSAMPLE * SUPERSAMPLE;
      const covered = sum[3] / 255;
      const at = (py * size + px) * 4;
      for (let i = 0; i < 3; i++) {
        out[at + i] = covered ? Math.round(sum[i] / covered) : 0;
      }
      out[at + 3] = Math.round(sum[3] / samples);
    }
  }
  return out;
}

/** A PNG file: signature, IHDR, one IDAT, IEND (RFC 2083). */
function png(size, maskable) {
  const rgba = pixels(size, maskable);
  // Each row starts with filter type 0 (none).
  const raw = new Uint8Array(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw.set(rgba.subarray(y * size * 4, (y + 1) * size * 4), y * (size * 4 + 1) + 1);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bits per channel
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type, data) {
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(typed.length + 8);
  out.writeUInt32BE(data.length, 0);
  typed.copy(out, 4);
  out.writeUInt32BE(crc32(typed), typed.length + 4);
  return out;
}

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}
