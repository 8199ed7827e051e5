/* Charts: dcc.Graph loads plotly.js when a page first draws a chart, from window._dashPlotlyJSURL, which the
   Dash 4 renderer sets to plotly.py's full bundle (4.8 MB, every trace type). Pin that address to the
   dashboard's own bundle of the same plotly.js version with only the trace types it draws
   (plotly-wijkmonitor.min.js, `make plotly-bundle`; not loaded by every page: app.py assets_ignore), so a page
   without a chart loads no plotly.js at all. Should a Dash upgrade rename the variable, the full bundle loads
   again: the same charts, only slower (tests/test_dashboard_browser.py notices). */
(function () {
  const bundle = new URL("plotly-wijkmonitor.min.js", document.currentScript.src).href;
  Object.defineProperty(window, "_dashPlotlyJSURL", {
    configurable: true,
    get: function () { return bundle; },
    set: function () { /* the renderer's address of the full bundle: ignored */ },
  });
})();
