// Draws the quality score of an area over its registry runs, from the JSON the page embeds. Runs on page
// load and again after htmx swaps the page in (the run page refreshes itself while the check runs).
(() => {
  if (window.fanpinQualityTrend) return; // the script is re-run when htmx swaps the page in
  window.fanpinQualityTrend = true;
  const draw = () => {
    const el = document.getElementById("quality-trend");
    const data = document.getElementById("quality-trend-data");
    if (!el || !data || !window.echarts || el.dataset.drawn) return;
    const d = JSON.parse(data.textContent);
    if (d.labels.length < 2) return;
    el.dataset.drawn = "1";
    const chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 10, top: 20, bottom: 30 },
      xAxis: { type: "category", data: d.labels },
      yAxis: { type: "value", min: (v) => Math.max(0, Math.floor(v.min - 5)), max: 100 },
      series: [{ name: "质量得分", type: "line", data: d.scores, label: { show: true } }],
    });
    window.addEventListener("resize", () => chart.resize());
  };
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
  window.addEventListener("load", draw);
})();
