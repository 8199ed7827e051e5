/* Wijkmonitor: clientside helpers (served locally from this folder). */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  wijkmonitor: {
    /* Write the page's choices into the address bar without navigating (see components.url_state).
       Arguments: one value per parameter, then the store {names: [...]}. */
    replaceQuery: function () {
      const values = Array.prototype.slice.call(arguments, 0, -1);
      const store = arguments[arguments.length - 1] || {names: []};
      const params = new URLSearchParams();
      store.names.forEach(function (name, i) {
        const value = values[i];
        if (value !== null && value !== undefined && value !== "") { params.set(name, String(value)); }
      });
      const query = params.toString();
      window.history.replaceState(window.history.state, "", window.location.pathname + (query ? "?" + query : ""));
      return {names: store.names, query: query};
    }
  }
});
