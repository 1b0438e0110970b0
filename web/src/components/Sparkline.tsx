const percent = (v: number) => `${Math.round(v * 100)}%`;

/** A small SVG line chart of values in [0, max] (a cache hit ratio, a store's size over time). */
export function Sparkline({
  values,
  width = 180,
  height = 40,
  label,
  max = 1,
  format = percent,
}: {
  values: number[];
  width?: number;
  height?: number;
  label: string;
  /** The top of the chart (values above are drawn there). */
  max?: number;
  /** How the first and latest values are said in the chart's accessible name. */
  format?: (value: number) => string;
}) {
  const pad = 3;
  const shown = values.filter((v) => Number.isFinite(v)).map((v) => Math.min(max, Math.max(0, v)));
  if (shown.length < 2) {
    return (
      <svg className="sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${label}: not enough data yet`}>
        <line x1={pad} x2={width - pad} y1={height - pad} y2={height - pad} className="sparkline-axis" />
        <text x={width / 2} y={height / 2 + 4} textAnchor="middle" className="sparkline-note">
          collecting…
        </text>
      </svg>
    );
  }
  const points = shown.map((v) => v / max);
  const step = (width - 2 * pad) / (points.length - 1);
  const y = (v: number) => pad + (1 - v) * (height - 2 * pad);
  const coords = points.map((v, i) => [pad + i * step, y(v)] as const);
  const line = coords.map(([x, yy]) => `${x.toFixed(1)},${yy.toFixed(1)}`).join(' ');
  const area = `${pad},${height - pad} ${line} ${(pad + (points.length - 1) * step).toFixed(1)},${height - pad}`;
  const last = coords[coords.length - 1]!;
  const describe = `${label}: ${points.length} samples, from ${format(shown[0]!)} to ${format(shown[shown.length - 1]!)}`;
  return (
    <svg className="sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={describe}>
      <title>{describe}</title>
      <line x1={pad} x2={width - pad} y1={y(0.5)} y2={y(0.5)} className="sparkline-grid" />
      <polygon points={area} className="sparkline-area" />
      <polyline points={line} className="sparkline-line" />
      <circle cx={last[0]} cy={last[1]} r={2.5} className="sparkline-dot" />
    </svg>
  );
}
