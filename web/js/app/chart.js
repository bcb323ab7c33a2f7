// Sent and bounced messages per day, drawn with uPlot (served from /vendor/), from the rows of
// GET …/mail-stats or …/mailboxes/{mbx}/stats: [{date, sent, bounced, received}].
import { html, useEffect, useRef } from "../lib.js";

export function DailyChart({ rows, title = "Last 30 days" }) {
  const ref = useRef();
  useEffect(() => {
    if (!rows || !rows.length || !ref.current) return;
    let plot;
    let gone = false;
    import("/vendor/uplot/dist/uPlot.esm.js").then(({ default: uPlot }) => {
      if (gone || !ref.current) return;
      const xs = rows.map((r) => Date.parse(r.date) / 1000);
      plot = new uPlot({ width: Math.min(ref.current.clientWidth || 600, 900), height: 220, title,
        series: [{}, { label: "Sent", stroke: "#0b57d0" }, { label: "Bounced", stroke: "#b3261e" }] },
        [xs, rows.map((r) => r.sent || 0), rows.map((r) => r.bounced || 0)], ref.current);
    });
    return () => {
      gone = true;
      if (plot) plot.destroy();
    };
  }, [rows]);
  const total = (k) => (rows || []).reduce((n, r) => n + (r[k] || 0), 0);
  return html`<div ref=${ref} class="chart" role="img" data-testid="daily-chart"
    aria-label=${`Sent and bounced messages per day: ${total("sent")} sent and ${total("bounced")} bounced in ${(rows || []).length} days`}></div>`;
}
