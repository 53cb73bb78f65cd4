// Draws the quality score of an area over its registry runs, from the JSON the page embeds.
document.addEventListener("DOMContentLoaded", () => {
  const el = document.getElementById("quality-trend");
  const data = document.getElementById("quality-trend-data");
  if (!el || !data || !window.echarts) return;
  const d = JSON.parse(data.textContent);
  if (d.labels.length < 2) return;
  const chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    grid: { left: 40, right: 10, top: 20, bottom: 30 },
    xAxis: { type: "category", data: d.labels },
    yAxis: { type: "value", min: (v) => Math.max(0, Math.floor(v.min - 5)), max: 100 },
    series: [{ name: "质量得分", type: "line", data: d.scores, label: { show: true } }],
  });
  window.addEventListener("resize", () => chart.resize());
});
