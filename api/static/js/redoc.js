// ReDoc on the app's own OpenAPI document.
const root = document.getElementById("redoc");
window.Redoc.init(root.dataset.spec, { hideDownloadButton: false }, root);
