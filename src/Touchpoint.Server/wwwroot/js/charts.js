// Draws every chart on the page with plotly.js. The figure (data, layout, config) comes from the server as JSON in
// the container's data-chart attribute (Platform/Charts.cs), so pages need no inline script.
"use strict";
for (const element of document.querySelectorAll("[data-chart]")) {
    const figure = JSON.parse(element.dataset.chart);
    Plotly.newPlot(element, figure.data, figure.layout, figure.config);
}
