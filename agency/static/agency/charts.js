/* The pages' charts, drawn with Chart.js (agency/static/vendor/chart.umd.min.js, installed from
   npm by `make install`; see package.json).

   A chart is a <canvas> in a <figure class="chart"> (templates/agency/_chart.html). Its data, in
   the shape of agency.charts.Chart.as_json(), comes from the JSON view named by data-chart-url or
   from the <script type="application/json"> named by data-chart-json; data-chart-series (keys,
   comma-separated) keeps only those series. The figure's summary and table stay in the page: they
   are what screen readers read and what a browser without scripts (or without Chart.js) shows.
   Numbers and dates follow the page's language (<html lang>). */
(function () {
  "use strict";
  if (!window.Chart || !window.fetch || !window.Intl) return;

  var lang = document.documentElement.lang || "zh-hans";
  var numbers = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  var days = new Intl.DateTimeFormat(lang, { month: "short", day: "numeric" });
  var style = getComputedStyle(document.documentElement);
  var palette = ["--chart-1", "--chart-2", "--chart-3", "--chart-4"].map(function (name, i) {
    return style.getPropertyValue(name).trim() || ["#8e0f42", "#1f6fb2", "#b7791f", "#1b7f4b"][i];
  });
  var quiet = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var requests = {};

  function fetchJSON(url) {
    if (!requests[url]) {
      requests[url] = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(
        function (response) {
          var type = response.headers.get("Content-Type") || "";
          if (!response.ok || type.indexOf("application/json") !== 0) throw new Error("chart data: " + response.status);
          return response.json();
        }
      );
    }
    return requests[url];
  }

  function dataFor(canvas) {
    if (canvas.dataset.chartUrl) return fetchJSON(canvas.dataset.chartUrl);
    var script = document.getElementById(canvas.dataset.chartJson);
    return script ? Promise.resolve(JSON.parse(script.textContent)) : Promise.reject(new Error("no chart data"));
  }

  function label(text) {
    return /^\d{4}-\d{2}-\d{2}$/.test(text) ? days.format(new Date(text + "T00:00:00")) : text;
  }

  function show(value, percent) {
    if (value === null || value === undefined) return "—";
    return numbers.format(value) + (percent ? "%" : "");
  }

  function valueAxis(series, position) {
    var percent = series.percent;
    return {
      position: position,
      beginAtZero: series.measure !== "level", /* a count of fans reads best around its own range */
      grid: { drawOnChartArea: position !== "right" },
      ticks: { callback: function (value) { return show(value, percent); } }
    };
  }

  function draw(canvas, spec) {
    var wanted = (canvas.dataset.chartSeries || "").split(",").filter(Boolean);
    var series = spec.series.filter(function (s) { return !wanted.length || wanted.indexOf(s.key) >= 0; });
    if (!series.length) return;
    var many = spec.labels.length > 45;
    var datasets = series.map(function (s, i) {
      var colour = palette[i % palette.length];
      return {
        type: s.style,
        label: s.label,
        data: s.values,
        percent: s.percent,
        yAxisID: spec.horizontal ? undefined : s.axis,
        xAxisID: spec.horizontal ? "x" : undefined,
        borderColor: colour,
        backgroundColor: s.style === "bar" ? colour + "b3" : colour,
        borderWidth: s.style === "bar" ? 0 : 2,
        pointRadius: many ? 0 : 2,
        spanGaps: true,
        tension: 0.25
      };
    });
    var scales = {};
    if (spec.horizontal) {
      scales.x = valueAxis(series[0], "bottom");
    } else {
      scales.x = { ticks: { autoSkip: true, maxRotation: 0 } };
      series.forEach(function (s) {
        if (!scales[s.axis]) scales[s.axis] = valueAxis(s, s.axis === "y2" ? "right" : "left");
      });
    }
    var figure = canvas.closest(".chart");
    figure.classList.add("chart-drawn"); /* shown first: Chart.js sizes the canvas from its box */
    try {
      drawChart(canvas, spec, series, datasets, scales);
    } catch (error) {
      figure.classList.remove("chart-drawn");
    }
  }

  function drawChart(canvas, spec, series, datasets, scales) {
    new window.Chart(canvas, {
      type: series[0].style,
      data: { labels: spec.labels.map(label), datasets: datasets },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        locale: lang,
        animation: quiet ? false : undefined,
        interaction: { mode: "index", intersect: false },
        scales: scales,
        plugins: {
          legend: { display: datasets.length > 1 },
          tooltip: {
            callbacks: {
              label: function (item) { return item.dataset.label + ": " + show(item.raw, item.dataset.percent); }
            }
          }
        }
      }
    });
  }

  document.querySelectorAll("canvas[data-chart-url], canvas[data-chart-json]").forEach(function (canvas) {
    dataFor(canvas).then(function (spec) { draw(canvas, spec); }).catch(function () {
      /* The summary and table already say it all. */
    });
  });
})();
