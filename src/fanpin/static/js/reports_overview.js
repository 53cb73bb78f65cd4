// Statistics overview (统计概览): draws the county map, bars, trend lines, category pie and risk bars
// from the JSON the page embeds (#report-data). Clicking a county or a bar opens that area's overview.
// No inline scripts: the page only carries data.
(function () {
  "use strict";

  function fmt(v) {
    return v === null || v === undefined ? "—" : Number(v).toLocaleString("zh-CN");
  }

  function chart(id) {
    const el = document.getElementById(id);
    if (!el || !window.echarts) return null;
    if (!el.style.height) el.style.height = el.classList.contains("report-map") ? "420px" : "260px";
    const c = echarts.init(el);
    window.addEventListener("resize", () => c.resize());
    return c;
  }

  function go(url) {
    if (url) window.location.href = url;
  }

  function drawMap(d) {
    const el = document.getElementById("report-map");
    if (!el || !d.map) return;
    fetch(d.map.url, { credentials: "same-origin" })
      .then((r) => r.json())
      .then((geo) => {
        const name = "fanpin-" + d.area;
        echarts.registerMap(name, geo);
        const c = chart("report-map");
        const values = d.map.values.filter((v) => v.value !== null).map((v) => v.value);
        const max = values.length ? Math.max.apply(null, values) : 1;
        const byCode = {};
        d.map.values.forEach((v) => (byCode[v.name] = v));
        c.setOption({
          tooltip: {
            trigger: "item",
            formatter: (p) => {
              const item = byCode[p.name];
              return (item ? item.cname : p.name) + "<br>" + d.indicator_name + "：" + fmt(item && item.value) + " " + d.unit;
            },
          },
          visualMap: {
            min: 0, max: max || 1, left: 0, bottom: 0, calculable: true, itemHeight: 80,
            text: ["高", "低"], inRange: { color: ["#e8f1fb", "#2f6fb0"] },
          },
          series: [{
            type: "map", map: name, roam: false, selectedMode: false,
            label: { show: d.level === 2, formatter: (p) => (byCode[p.name] ? byCode[p.name].cname : ""), fontSize: 10 },
            emphasis: { label: { show: true, formatter: (p) => (byCode[p.name] ? byCode[p.name].cname : "") } },
            data: d.map.values.map((v) => ({ name: v.name, value: v.value, url: v.url })),
          }],
        });
        c.on("click", (p) => go(p.data && p.data.url));
        el.dataset.ready = "1";
      });
  }

  function drawBars(d) {
    const c = chart("report-bars");
    if (!c) return;
    const kids = d.children;
    c.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 90, right: 40, top: 10, bottom: 20 },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: kids.map((k) => k.name), inverse: true, axisLabel: { width: 80, overflow: "truncate" } },
      series: [{
        type: "bar", name: d.indicator_name, data: kids.map((k) => ({ value: k.value, url: k.url })),
        label: { show: true, position: "right", formatter: (p) => fmt(p.value) },
      }],
    });
    c.on("click", (p) => go(p.data && p.data.url));
    const el = document.getElementById("report-bars");
    el.style.height = Math.max(220, kids.length * 22 + 40) + "px";
    c.resize();
  }

  function drawTrend(d) {
    const c = chart("report-trend");
    if (!c) return;
    const keys = Object.keys(d.trend_names);
    c.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: keys.map((k) => d.trend_names[k]), type: "scroll" },
      grid: { left: 45, right: 15, top: 40, bottom: 25 },
      xAxis: { type: "category", data: d.trend.months },
      yAxis: { type: "value" },
      series: keys.map((k) => ({ name: d.trend_names[k], type: "line", data: d.trend[k], connectNulls: false })),
    });
  }

  function drawPie(d) {
    const c = chart("report-pie");
    if (!c) return;
    c.setOption({
      tooltip: { trigger: "item", formatter: "{b}：{c} 户（{d}%）" },
      series: [{ type: "pie", radius: ["35%", "65%"], data: d.categories, label: { formatter: "{b}\n{c}" } }],
    });
  }

  function drawRisks(d) {
    const c = chart("report-risks");
    if (!c) return;
    const risks = d.risks.filter((r) => r.value > 0).sort((a, b) => b.value - a.value);
    c.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 100, right: 30, top: 5, bottom: 20 },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: risks.map((r) => r.name), inverse: true, axisLabel: { width: 95, overflow: "truncate" } },
      series: [{ type: "bar", data: risks.map((r) => r.value), label: { show: true, position: "right" } }],
    });
  }

  // Click a column header of the children table to sort by it (again: the other way), e.g. to find the
  // township that lags. "—" (no data) sorts last.
  function sortableTable() {
    const table = document.getElementById("children");
    if (!table) return;
    table.querySelectorAll("thead th").forEach((th, col) => {
      th.setAttribute("role", "button");
      th.title = "点击排序";
      th.addEventListener("click", () => {
        const body = table.tBodies[0];
        const down = th.dataset.sort !== "desc";
        table.querySelectorAll("thead th").forEach((h) => delete h.dataset.sort);
        th.dataset.sort = down ? "desc" : "asc";
        const key = (tr) => {
          const text = tr.cells[col].innerText.trim();
          if (col === 0) return text;
          const n = parseFloat(text.replace(/,/g, ""));
          return isNaN(n) ? null : n;
        };
        const rows = Array.from(body.rows);
        rows.sort((a, b) => {
          const x = key(a), y = key(b);
          if (x === null) return 1;
          if (y === null) return -1;
          const c = col === 0 ? String(x).localeCompare(String(y), "zh-CN") : x - y;
          return down ? -c : c;
        });
        rows.forEach((r) => body.appendChild(r));
      });
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    sortableTable();
    const node = document.getElementById("report-data");
    if (!node || !window.echarts) return;
    const d = JSON.parse(node.textContent);
    drawMap(d);
    drawBars(d);
    drawTrend(d);
    drawPie(d);
    drawRisks(d);
    const indicator = document.getElementById("indicator");
    const month = document.getElementById("month");
    [indicator, month].forEach((s) => s && s.addEventListener("change", () => s.form.submit()));
  });
})();
