// Country shapes bundled with the app (world-atlas, Natural Earth 1:110m):
// no tile server, so the map works offline. Shapes carry ISO 3166 numeric
// ids; i18n-iso-countries maps them to the alpha-2 codes GeoIP gives.

import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import countries from 'i18n-iso-countries';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import atlas from 'world-atlas/countries-110m.json';

export interface CountryShape {
  /** ISO 3166 alpha-2, or '' for the few shapes without a code. */
  code: string;
  name: string;
  feature: Feature<Polygon | MultiPolygon>;
  /** A point well inside the country's largest part: [longitude, latitude]. */
  labelPoint: [number, number];
}

let shapes: CountryShape[] | null = null;

/** Every country shape, with its code and a point inside it. */
export function countryShapes(): CountryShape[] {
  if (shapes) return shapes;
  const topology = atlas as unknown as Topology<{
    countries: GeometryCollection<{ name: string }>;
  }>;
  const collection = feature(topology, topology.objects.countries);
  shapes = collection.features
    .filter((f): f is Feature<Polygon | MultiPolygon, { name: string }> =>
      f.geometry?.type === 'Polygon' || f.geometry?.type === 'MultiPolygon')
    .map((f) => ({
      code: f.id === undefined ? ''
        : (countries.numericToAlpha2(String(f.id)) ?? ''),
      name: f.properties?.name ?? '',
      feature: f,
      labelPoint: interiorPoint(f.geometry),
    }));
  return shapes;
}

/** The rings of the largest polygon of a shape (outer ring first). */
function largestPolygon(geometry: Polygon | MultiPolygon): Position[][] {
  if (geometry.type === 'Polygon') return geometry.coordinates;
  let best = geometry.coordinates[0];
  let bestArea = -1;
  for (const polygon of geometry.coordinates) {
    const area = Math.abs(ringArea(polygon[0]));
    if (area > bestArea) {
      bestArea = area;
      best = polygon;
    }
  }
  return best;
}

function ringArea(ring: Position[]): number {
  let area = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    area += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1]);
  }
  return area / 2;
}

function inside(rings: Position[][], x: number, y: number): boolean {
  let within = false;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if ((yi > y) !== (yj > y) &&
        x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) {
        within = !within;
      }
    }
  }
  return within;
}

function distanceToEdges(rings: Position[][], x: number, y: number): number {
  let best = Infinity;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [ax, ay] = ring[j];
      const [bx, by] = ring[i];
      const dx = bx - ax;
      const dy = by - ay;
      const length = dx * dx + dy * dy;
      const t = length === 0 ? 0
        : Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / length));
      const px = ax + t * dx - x;
      const py = ay + t * dy - y;
      best = Math.min(best, px * px + py * py);
    }
  }
  return Math.sqrt(best);
}

/**
 * A point inside the largest part, far from its edges: the best of a
 * 24 × 24 grid over its bounds. A centroid can fall outside a crescent
 * (Norway, Chile); this cannot, and it is where a label or a test's
 * probe belongs.
 */
function interiorPoint(geometry: Polygon | MultiPolygon): [number, number] {
  const rings = largestPolygon(geometry);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const [x, y] of rings[0]) {
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  const steps = 24;
  let best: [number, number] = [(minX + maxX) / 2, (minY + maxY) / 2];
  let bestDistance = -1;
  for (let i = 0; i <= steps; i++) {
    for (let j = 0; j <= steps; j++) {
      const x = minX + ((maxX - minX) * i) / steps;
      const y = minY + ((maxY - minY) * j) / steps;
      if (!inside(rings, x, y)) continue;
      const distance = distanceToEdges(rings, x, y);
      if (distance > bestDistance) {
        bestDistance = distance;
        best = [x, y];
      }
    }
  }
  return best;
}
