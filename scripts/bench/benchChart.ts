import type { BenchResult, PointResult } from './benchResult.ts';

interface Series {
  readonly name: string;
  readonly color: string;
  readonly value: (p: PointResult) => number;
}

interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly series: readonly Series[];
  /** A horizontal reference line (a target), if any. */
  readonly limit?: { readonly value: number; readonly label: string };
}

const MiB = 1024 ** 2;
const PANELS: readonly Panel[] = [
  {
    title: 'Wall-clock time',
    unit: 's',
    series: [
      { name: 'job', color: '#d62728', value: (p) => p.job.wallSeconds },
      { name: 'floor (list + GET)', color: '#1f77b4', value: (p) => p.floor.wallSeconds },
      { name: 're-run', color: '#ff7f0e', value: (p) => p.rerun.wallSeconds },
      { name: 'listing only', color: '#2ca02c', value: (p) => p.listOnly.wallSeconds },
    ],
  },
  {
    title: 'Peak RSS',
    unit: 'MiB',
    series: [
      { name: 'job', color: '#d62728', value: (p) => p.job.peakRssBytes / MiB },
      { name: 'floor', color: '#1f77b4', value: (p) => p.floor.peakRssBytes / MiB },
    ],
    limit: { value: 1536, label: '1.5 GiB target' },
  },
];

const W = 460;
const H = 320;
const M = { left: 60, right: 20, top: 36, bottom: 80 };

/** Time and memory against scale (files, log axis), as a self-contained SVG. */
export function benchChart(result: BenchResult): string {
  const points = [...result.points].sort((a, b) => a.mirror.files - b.mirror.files);
  const panels = PANELS.map(
    (panel, i) => `<g transform="translate(${i * W},0)">${panelSvg(panel, points)}</g>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W * PANELS.length}" height="${H}" font-family="sans-serif" font-size="11">`,
    '<rect width="100%" height="100%" fill="white"/>',
    ...panels,
    '</svg>',
    '',
  ].join('\n');
}

function panelSvg(panel: Panel, points: readonly PointResult[]): string {
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const files = points.map((p) => p.mirror.files);
  const minX = Math.log10(Math.min(...files, 1000) / 1.5);
  const maxX = Math.log10(Math.max(...files, 1000) * 1.5);
  const values = points.flatMap((p) => panel.series.map((s) => s.value(p)));
  const maxY = niceCeiling(Math.max(...values, panel.limit?.value ?? 0, 1) * 1.05);
  const x = (f: number): number => M.left + ((Math.log10(f) - minX) / (maxX - minX)) * plotW;
  const y = (v: number): number => M.top + plotH - (v / maxY) * plotH;
  const out: string[] = [
    `<text x="${M.left}" y="20" font-size="13" font-weight="bold">${panel.title} (${panel.unit}) vs files</text>`,
    `<line x1="${M.left}" y1="${M.top + plotH}" x2="${M.left + plotW}" y2="${M.top + plotH}" stroke="#333"/>`,
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${M.top + plotH}" stroke="#333"/>`,
  ];
  for (let k = 0; k <= 4; k++) {
    const v = (maxY * k) / 4;
    out.push(
      `<line x1="${M.left}" y1="${y(v)}" x2="${M.left + plotW}" y2="${y(v)}" stroke="#eee"/>`,
      `<text x="${M.left - 6}" y="${y(v) + 4}" text-anchor="end">${format(v)}</text>`,
    );
  }
  for (const p of points) {
    out.push(
      `<text x="${x(p.mirror.files)}" y="${M.top + plotH + 16}" text-anchor="middle">${p.label}</text>`,
    );
  }
  if (panel.limit !== undefined && panel.limit.value <= maxY) {
    out.push(
      `<line x1="${M.left}" y1="${y(panel.limit.value)}" x2="${M.left + plotW}" y2="${y(panel.limit.value)}" stroke="#999" stroke-dasharray="4 3"/>`,
      `<text x="${M.left + plotW}" y="${y(panel.limit.value) - 4}" text-anchor="end" fill="#666">${panel.limit.label}</text>`,
    );
  }
  panel.series.forEach((series, i) => {
    const coords = points.map(
      (p) => `${x(p.mirror.files).toFixed(1)},${y(series.value(p)).toFixed(1)}`,
    );
    out.push(
      `<polyline fill="none" stroke="${series.color}" stroke-width="2" points="${coords.join(' ')}"/>`,
      ...coords.map((c) => {
        const [cx, cy] = c.split(',');
        return `<circle cx="${cx}" cy="${cy}" r="3" fill="${series.color}"/>`;
      }),
      `<rect x="${M.left + (i % 2) * 180}" y="${H - 44 + Math.floor(i / 2) * 16}" width="10" height="10" fill="${series.color}"/>`,
      `<text x="${M.left + 14 + (i % 2) * 180}" y="${H - 35 + Math.floor(i / 2) * 16}">${series.name}</text>`,
    );
  });
  return out.join('\n');
}

function niceCeiling(v: number): number {
  const step = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= v) return m * step;
  return 10 * step;
}

const format = (v: number): string =>
  v >= 100 || v === 0 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
