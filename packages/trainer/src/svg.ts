/**
 * Minimal inline-SVG charts for the offline report: line charts with stage bands and promotion
 * markers, and grouped bar charts. No scripts, no external assets.
 */

export interface Series {
  name: string;
  points: ReadonlyArray<readonly [number, number]>;
  color: string;
  dashed?: boolean;
  /** Draw markers instead of a line. */
  dots?: boolean;
}

export interface LineChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  bands?: ReadonlyArray<{ x0: number; x1: number; label: string }>;
  markers?: ReadonlyArray<{ x: number; label: string }>;
  yMin?: number;
  yMax?: number;
  width?: number;
  height?: number;
}

export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const step0 = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? step0;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Math.round(v / step) * step);
  return out;
}

const fmtTick = (v: number): string =>
  Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? String(Math.round(v * 100) / 100) : String(Math.round(v * 1000) / 1000);
const BAND_COLORS = ["#f3f6fb", "#fbf6ef", "#f1f8f2", "#f8f1f7", "#f4f4f4"];

export function lineChart(spec: LineChartSpec): string {
  const W = spec.width ?? 760;
  const H = spec.height ?? 300;
  const m = { l: 56, r: 16, t: 30, b: 64 };
  const all = spec.series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]).filter((y) => Number.isFinite(y));
  const x0 = Math.min(0, ...xs, ...(spec.bands ?? []).map((b) => b.x0));
  const x1 = Math.max(1, ...xs, ...(spec.bands ?? []).map((b) => b.x1));
  let y0 = spec.yMin ?? Math.min(...ys, 0);
  let y1 = spec.yMax ?? Math.max(...ys, 1e-6);
  if (!(y1 > y0)) {
    y0 -= 1;
    y1 += 1;
  }
  const px = (x: number) => m.l + ((x - x0) / (x1 - x0 || 1)) * (W - m.l - m.r);
  const py = (y: number) => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(spec.title)}">`,
  );
  parts.push(`<text x="${W / 2}" y="18" text-anchor="middle" font-size="14" font-weight="600">${esc(spec.title)}</text>`);
  (spec.bands ?? []).forEach((b, i) => {
    parts.push(
      `<rect x="${px(b.x0)}" y="${m.t}" width="${Math.max(0, px(b.x1) - px(b.x0))}" height="${H - m.t - m.b}" fill="${BAND_COLORS[i % BAND_COLORS.length]}"/>`,
    );
    parts.push(
      `<text x="${(px(b.x0) + px(b.x1)) / 2}" y="${m.t + 12}" text-anchor="middle" font-size="10" fill="#666">${esc(b.label)}</text>`,
    );
  });
  for (const t of niceTicks(y0, y1)) {
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${py(t)}" y2="${py(t)}" stroke="#e2e2e2"/>`);
    parts.push(`<text x="${m.l - 6}" y="${py(t) + 4}" text-anchor="end" font-size="10">${fmtTick(t)}</text>`);
  }
  for (const t of niceTicks(x0, x1, 8))
    parts.push(`<text x="${px(t)}" y="${H - m.b + 14}" text-anchor="middle" font-size="10">${fmtTick(t)}</text>`);
  parts.push(
    `<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="#444"/><line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="#444"/>`,
  );
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - m.b + 30}" text-anchor="middle" font-size="11">${esc(spec.xLabel)}</text>`);
  parts.push(
    `<text transform="translate(14 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle" font-size="11">${esc(spec.yLabel)}</text>`,
  );
  for (const mk of spec.markers ?? []) {
    parts.push(`<line x1="${px(mk.x)}" x2="${px(mk.x)}" y1="${m.t}" y2="${H - m.b}" stroke="#c0392b" stroke-dasharray="4 3"/>`);
    parts.push(`<title>${esc(mk.label)}</title>`);
  }
  for (const s of spec.series) {
    const pts = s.points.filter((p) => Number.isFinite(p[1]));
    if (pts.length === 0) continue;
    if (s.dots) {
      for (const p of pts) parts.push(`<circle cx="${px(p[0]).toFixed(1)}" cy="${py(p[1]).toFixed(1)}" r="2.6" fill="${s.color}"/>`);
    } else {
      const d = pts.map((p, i) => `${i ? "L" : "M"}${px(p[0]).toFixed(1)} ${py(p[1]).toFixed(1)}`).join(" ");
      parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.6"${s.dashed ? ' stroke-dasharray="5 3"' : ""}/>`);
    }
  }
  const step = Math.min(170, (W - m.l) / Math.max(1, spec.series.length));
  spec.series.forEach((s, i) => {
    const x = m.l + i * step;
    const y = H - 14;
    parts.push(
      s.dots
        ? `<circle cx="${x + 9}" cy="${y - 4}" r="3" fill="${s.color}"/>`
        : `<line x1="${x}" x2="${x + 18}" y1="${y - 4}" y2="${y - 4}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ""}/>`,
    );
    parts.push(`<text x="${x + 22}" y="${y}" font-size="11">${esc(s.name)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("");
}

export interface BarChartSpec {
  title: string;
  yLabel: string;
  groups: readonly string[];
  series: ReadonlyArray<{ name: string; color: string; values: readonly number[] }>;
  yMax?: number;
  width?: number;
  height?: number;
  /** Format of the value labels. */
  fmt?: (v: number) => string;
}

export function barChart(spec: BarChartSpec): string {
  const W = spec.width ?? 760;
  const H = spec.height ?? 300;
  const m = { l: 56, r: 16, t: 30, b: 64 };
  const yMax = spec.yMax ?? Math.max(1e-6, ...spec.series.flatMap((s) => s.values)) * 1.15;
  const gw = (W - m.l - m.r) / Math.max(1, spec.groups.length);
  const bw = (gw * 0.8) / Math.max(1, spec.series.length);
  const py = (y: number) => H - m.b - (y / yMax) * (H - m.t - m.b);
  const fmt = spec.fmt ?? ((v: number) => (v * 100).toFixed(1));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(spec.title)}">`,
  ];
  parts.push(`<text x="${W / 2}" y="18" text-anchor="middle" font-size="14" font-weight="600">${esc(spec.title)}</text>`);
  for (const t of niceTicks(0, yMax)) {
    parts.push(
      `<line x1="${m.l}" x2="${W - m.r}" y1="${py(t)}" y2="${py(t)}" stroke="#e2e2e2"/><text x="${m.l - 6}" y="${py(t) + 4}" text-anchor="end" font-size="10">${fmtTick(t)}</text>`,
    );
  }
  spec.groups.forEach((g, gi) => {
    const gx = m.l + gi * gw + gw * 0.1;
    spec.series.forEach((s, si) => {
      const v = s.values[gi] ?? 0;
      const x = gx + si * bw;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${py(v).toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${Math.max(0, H - m.b - py(v)).toFixed(1)}" fill="${s.color}"><title>${esc(`${s.name} · ${g}: ${fmt(v)}`)}</title></rect>`,
      );
      parts.push(`<text x="${(x + bw / 2).toFixed(1)}" y="${(py(v) - 3).toFixed(1)}" text-anchor="middle" font-size="9">${fmt(v)}</text>`);
    });
    parts.push(`<text x="${(gx + gw * 0.4).toFixed(1)}" y="${H - m.b + 14}" text-anchor="middle" font-size="11">${esc(g)}</text>`);
  });
  parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="#444"/>`);
  parts.push(
    `<text transform="translate(14 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle" font-size="11">${esc(spec.yLabel)}</text>`,
  );
  spec.series.forEach((s, i) => {
    const x = m.l + i * 150;
    parts.push(
      `<rect x="${x}" y="${H - 22}" width="12" height="12" fill="${s.color}"/><text x="${x + 16}" y="${H - 12}" font-size="11">${esc(s.name)}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("");
}
