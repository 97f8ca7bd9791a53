import type { PickingInfo } from '@deck.gl/core';
import { MapView as MercatorView } from '@deck.gl/core';
import { ArcLayer, GeoJsonLayer, ScatterplotLayer } from '@deck.gl/layers';
import DeckGL from '@deck.gl/react';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { CountryVolume } from '@capscope/analytics/aggregates/countries';
import { useFilter } from '../../filter/filter-context';
import { formatBytes, formatCount } from '../../format';
import { countryLabel, countryName, isCountryCode } from '../country-names';
import { formatMeasure, formatShare } from '../measures';
import { Empty, Picker } from '../Panel';
import { useViewQuery } from '../use-view-query';
import { loadCaptureLocation, saveCaptureLocation } from '../view-settings';
import { CountryPanel } from './CountryPanel';
import { CAPTURE_LOCATIONS } from './locations';
import { countryShapes } from './world';

type MapMetric = 'flows' | 'bytes' | 'bytesSent' | 'bytesReceived';

const METRICS: ReadonlyArray<{ value: MapMetric; label: string }> = [
  { value: 'flows', label: 'Flows' },
  { value: 'bytes', label: 'Bytes' },
  { value: 'bytesSent', label: 'Sent' },
  { value: 'bytesReceived', label: 'Received' },
];

/** Shades from little to most traffic; a log scale spreads them out. */
const RAMP: Array<[number, number, number]> = [
  [198, 219, 239], [107, 174, 214], [49, 130, 189], [8, 81, 156],
  [8, 48, 107],
];
const NO_TRAFFIC: [number, number, number, number] = [226, 230, 235, 255];
const BORDER: [number, number, number, number] = [255, 255, 255, 255];
const SELECTED_BORDER: [number, number, number, number] = [232, 113, 10, 255];
const ARC: [number, number, number, number] = [232, 113, 10, 170];

/** Web Mercator stops short of the poles; this latitude fits the land. */
const MAX_LATITUDE = 75;

interface ViewState {
  longitude: number;
  latitude: number;
  zoom: number;
  pitch: number;
  bearing: number;
}

/** The zoom at which the world's 360° fill `width` pixels. */
function fitZoom(width: number): number {
  return Math.log2(Math.max(width, 256) / 512);
}

/**
 * Countries coloured by the kept flows, drawn from shapes bundled with
 * the app. A click on a country (or its row in the table beside the map,
 * for the keyboard and screen readers) filters every view to it and opens
 * its panel; arcs run from the capture's location to the countries it
 * talked to.
 */
export default function MapView() {
  const filter = useFilter();
  const [metric, setMetric] = useState<MapMetric>('flows');
  const [selected, setSelected] = useState<string | null>(null);
  const [locationId, setLocationId] = useState(loadCaptureLocation);
  const query = useViewQuery((views) => views.api.countries(), []);
  const data = query.data;
  const shapes = useMemo(() => countryShapes(), []);

  const box = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ width: 800, height: 420 });
  const [view, setView] = useState<ViewState | null>(null);
  const [drawn, setDrawn] = useState(false);

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const observe = new ResizeObserver(() => {
      const { width, height } = element.getBoundingClientRect();
      setSize({ width, height });
      setView((current) => current ?? { longitude: 10, latitude: 28,
        zoom: fitZoom(width), pitch: 0, bearing: 0 });
    });
    observe.observe(element);
    return () => observe.disconnect();
  }, []);

  const byCode = useMemo(() => {
    const map = new Map<string, CountryVolume>();
    for (const row of data?.rows ?? []) map.set(row.code, row);
    return map;
  }, [data]);

  const countryRows = (data?.rows ?? []).filter((r) => isCountryCode(r.code))
    .sort((a, b) => b[metric] - a[metric] || b.flows - a.flows);
  const classRows = (data?.rows ?? []).filter((r) => !isCountryCode(r.code));
  const max = Math.max(0, ...countryRows.map((r) => r[metric]));
  const total = metric === 'flows' ? (data?.flows ?? 0) : (data?.bytes ?? 0);

  const colour = (code: string): [number, number, number, number] => {
    // A shape without a code (Kosovo, Somaliland...) is no "unknown" row.
    const value = code === '' ? 0 : (byCode.get(code)?.[metric] ?? 0);
    if (value <= 0 || max <= 0) return NO_TRAFFIC;
    const t = Math.log1p(value) / Math.log1p(max);
    const [r, g, b] = RAMP[Math.min(RAMP.length - 1,
      Math.floor(t * RAMP.length))];
    return [r, g, b, 255];
  };

  const choose = (code: string, exclude = false) => {
    filter.addTerm(`country == "${code}"`, exclude ? 'exclude' : 'only');
    if (!exclude) setSelected(code);
  };

  const location = CAPTURE_LOCATIONS.find((l) => l.id === locationId) ?? null;
  const shapeByCode = useMemo(
    () => new Map(shapes.map((shape) => [shape.code, shape])), [shapes]);
  const arcs = location
    ? countryRows.filter((row) => shapeByCode.has(row.code) &&
        row[metric] > 0).slice(0, 40).map((row) => ({
        code: row.code, value: row[metric],
        target: shapeByCode.get(row.code)!.labelPoint }))
    : [];

  const layers = [
    new GeoJsonLayer<{ code: string }>({
      id: 'countries',
      data: shapes.map((shape) => ({ ...shape.feature,
        properties: { code: shape.code } })),
      filled: true,
      stroked: true,
      wrapLongitude: true,
      pickable: true,
      autoHighlight: true,
      highlightColor: [255, 255, 255, 70],
      lineWidthUnits: 'pixels',
      getFillColor: (f) => colour(f.properties.code),
      getLineColor: (f) =>
        f.properties.code === selected ? SELECTED_BORDER : BORDER,
      getLineWidth: (f) => (f.properties.code === selected ? 2.5 : 0.6),
      updateTriggers: { getFillColor: [byCode, metric],
        getLineColor: selected, getLineWidth: selected },
      onClick: (info: PickingInfo) => {
        const code = (info.object as { properties?: { code?: string } })
          ?.properties?.code;
        const event = info as unknown as { srcEvent?: MouseEvent };
        if (code && isCountryCode(code) && byCode.has(code)) {
          choose(code, !!(event.srcEvent?.shiftKey));
        }
        return true;
      },
    }),
    new ArcLayer<(typeof arcs)[number]>({
      id: 'arcs',
      data: arcs,
      getSourcePosition: () => [location?.longitude ?? 0,
        location?.latitude ?? 0],
      getTargetPosition: (d) => d.target,
      getSourceColor: ARC,
      getTargetColor: [29, 95, 209, 200],
      getWidth: (d) => 1 + 4 * (Math.log1p(d.value) / Math.log1p(max || 1)),
      // Flat great circles: seen from above, raised arcs run off the map.
      greatCircle: true,
      getHeight: 0,
    }),
    new ScatterplotLayer({
      id: 'location',
      data: location ? [location] : [],
      getPosition: (d: typeof location) => [d!.longitude, d!.latitude],
      getFillColor: ARC,
      getLineColor: [255, 255, 255, 255],
      stroked: true,
      radiusUnits: 'pixels',
      getRadius: 6,
      lineWidthUnits: 'pixels',
      getLineWidth: 2,
    }),
  ];

  const tooltip = (info: PickingInfo) => {
    const code = (info.object as { properties?: { code?: string } })
      ?.properties?.code;
    if (code === undefined) return null;
    const shape = shapes.find((s) => s.code === code);
    const row = code ? byCode.get(code) : undefined;
    const name = code ? countryLabel(code) : shape?.name ?? '';
    if (!row) return { text: `${name}\nno traffic` };
    return {
      text: `${name}\n${formatCount(row.flows)} flows ` +
        `(${formatShare(row.flows, data?.flows ?? 0)})\n` +
        `${formatBytes(row.bytes)} (${formatShare(row.bytes,
          data?.bytes ?? 0)})\nsent ${formatBytes(row.bytesSent)}, ` +
        `received ${formatBytes(row.bytesReceived)}\nClick to filter to it`,
    };
  };

  return (
    <div className="map-view">
      <div className="map-view__bar">
        <Picker label="Colour countries by" value={metric} options={METRICS}
          onChange={setMetric} />
        <label className="map-view__location">
          Capture location{' '}
          <select value={locationId} onChange={(event) => {
            setLocationId(event.target.value);
            saveCaptureLocation(event.target.value);
          }}>
            <option value="">None (no arcs)</option>
            {CAPTURE_LOCATIONS.map((l) => (
              <option key={l.id} value={l.id}>{l.label}</option>
            ))}
          </select>
        </label>
        <Legend max={max} metric={metric} />
      </div>
      <div className="map-view__body">
        <div ref={box} className="map-view__map" data-testid="geo-map"
          data-ready={drawn ? 'true' : 'false'}
          data-view={view ? JSON.stringify({ ...view, ...size }) : ''}>
          {view && (
            <DeckGL
              views={new MercatorView({ repeat: false })}
              viewState={view}
              onViewStateChange={({ viewState }) => {
                const next = viewState as unknown as ViewState;
                setView({ ...next, pitch: 0, bearing: 0,
                  latitude: Math.max(-MAX_LATITUDE,
                    Math.min(MAX_LATITUDE, next.latitude)),
                  zoom: Math.max(fitZoom(size.width) - 0.5, next.zoom) });
              }}
              controller={{ dragRotate: false, touchRotate: false,
                doubleClickZoom: true }}
              layers={layers}
              getTooltip={tooltip}
              onAfterRender={() => setDrawn(true)}
            />
          )}
        </div>
        <CountryTable rows={countryRows} classRows={classRows}
          metric={metric} total={total} selected={selected}
          pointOf={(code) => shapeByCode.get(code)?.labelPoint}
          onChoose={choose} />
      </div>
      {query.status === 'error' && <Empty>{query.message}</Empty>}
      {selected && (
        <CountryPanel code={selected} onClose={() => setSelected(null)} />
      )}
    </div>
  );
}

function Legend({ max, metric }: { max: number; metric: MapMetric }) {
  if (max <= 0) return null;
  return (
    <div className="map-legend" aria-hidden="true">
      <span className="map-legend__swatch"
        style={{ background: `rgb(${NO_TRAFFIC.slice(0, 3).join(',')})` }} />
      none
      {RAMP.map((c) => (
        <span key={c.join()} className="map-legend__swatch"
          style={{ background: `rgb(${c.join(',')})` }} />
      ))}
      up to {formatMeasure(metric, max)} (log scale)
    </div>
  );
}

function CountryTable(
  { rows, classRows, metric, total, selected, pointOf, onChoose }: {
    rows: CountryVolume[];
    classRows: CountryVolume[];
    metric: MapMetric;
    total: number;
    selected: string | null;
    /** A point inside the country's shape, where it has one. */
    pointOf(code: string): [number, number] | undefined;
    onChoose(code: string, exclude?: boolean): void;
  },
) {
  const filter = useFilter();
  return (
    <div className="country-table">
      <table>
        <caption>Countries ({METRICS.find((m) => m.value === metric)?.label
          .toLowerCase()}); a flow counts for the country of each end</caption>
        <thead>
          <tr>
            <th scope="col">Country</th>
            <th scope="col" className="num">Flows</th>
            <th scope="col" className="num">
              {metric === 'flows' ? 'Bytes' : 'Share'}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr><td colSpan={3}>No public address in the kept flows.</td></tr>
          )}
          {rows.map((row) => (
            <tr key={row.code}
              className={row.code === selected ? 'is-selected' : undefined}>
              <td>
                <button type="button" className="link-button"
                  data-testid="country-row" data-country={row.code}
                  data-value={row.flows}
                  data-point={pointOf(row.code)?.join(',')}
                  aria-label={`${countryName(row.code)}: ` +
                    `${formatCount(row.flows)} flows. Filter to it`}
                  onClick={(event) => onChoose(row.code, event.shiftKey)}>
                  {countryLabel(row.code)}
                </button>
              </td>
              <td className="num">{formatCount(row.flows)}</td>
              <td className="num">
                {metric === 'flows' ? formatBytes(row.bytes)
                  : formatShare(row[metric], total)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {classRows.length > 0 && (
        <table>
          <caption>Not on the map</caption>
          <tbody>
            {classRows.map((row) => (
              <tr key={row.code || 'unknown'}>
                <td>
                  {row.filter ? (
                    <button type="button" className="link-button"
                      data-testid="address-class-row" data-class={row.code}
                      data-value={row.flows}
                      onClick={(event) => filter.addTerm(row.filter!,
                        event.shiftKey ? 'exclude' : 'only')}>
                      {countryLabel(row.code)}
                    </button>
                  ) : countryLabel(row.code)}
                </td>
                <td className="num">{formatCount(row.flows)}</td>
                <td className="num">{formatBytes(row.bytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

