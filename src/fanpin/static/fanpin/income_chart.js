// Draws a household's income over time from the JSON the page embeds (no inline script: CSP-safe).
document.addEventListener("DOMContentLoaded", () => {
  const el = document.getElementById("income-chart");
  const data = document.getElementById("income-chart-data");
  if (!el || !data || !window.echarts) return;
  const d = JSON.parse(data.textContent);
  if (!d.labels.length) { el.textContent = "暂无收入记录"; return; }
  const chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: ["纯收入", "工资性收入", "转移性收入"] },
    grid: { left: 50, right: 10, top: 30, bottom: 30 },
    xAxis: { type: "category", data: d.labels },
    yAxis: { type: "value" },
    series: [
      { name: "纯收入", type: "line", data: d.net },
      { name: "工资性收入", type: "bar", data: d.wage },
      { name: "转移性收入", type: "bar", data: d.transfer },
    ],
  });
  window.addEventListener("resize", () => chart.resize());
});
