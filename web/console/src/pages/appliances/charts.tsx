/** Small SVG bar charts: no chart library, readable by screen readers (each bar has a label). */

export interface Bar {
  label: string;
  value: number;
}

export function BarChart(props: { bars: Bar[]; title: string; testId: string; format?: (n: number) => string; height?: number; tickEvery?: number }) {
  const { bars, title, testId } = props;
  const format = props.format ?? ((n: number) => n.toLocaleString('en-US'));
  const height = props.height ?? 180;
  const max = Math.max(1, ...bars.map((b) => b.value));
  // A fixed drawing width: the SVG scales as a whole, so labels keep their shape.
  const width = 480;
  const plotTop = 16;
  const plotBottom = height - 34;
  const barWidth = width / Math.max(bars.length, 1);
  const every = props.tickEvery ?? (bars.length > 12 ? Math.ceil(bars.length / 12) : 1);
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title}>
        <line x1={0} x2={width} y1={plotBottom} y2={plotBottom} className="axis" />
        <text x={2} y={11} className="tick">
          {format(max)}
        </text>
        {bars.map((b, i) => {
          const h = ((plotBottom - plotTop) * b.value) / max;
          const x = i * barWidth + barWidth * 0.15;
          return (
            <g key={b.label}>
              <rect
                data-testid="bar"
                data-value={b.value}
                aria-label={`${b.label}: ${format(b.value)}`}
                x={x}
                y={plotBottom - h}
                width={barWidth * 0.7}
                height={Math.max(h, b.value > 0 ? 1 : 0)}
                className={b.value === max && b.value > 0 ? 'bar top' : 'bar'}
              >
                <title>{`${b.label}: ${format(b.value)}`}</title>
              </rect>
              {i % every === 0 && (
                <text x={i * barWidth + barWidth / 2} y={plotBottom + 14} textAnchor="middle" className="tick">
                  {b.label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
