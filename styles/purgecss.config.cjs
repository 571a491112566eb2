// PurgeCSS keeps only the rules whose classes appear in the portal's templates, Python code
// and scripts (ours, the NHS.UK Jinja macros' and the NHS.UK frontend's own JavaScript).
// `make css` passes the macros' folder as NHSUK_JINJA_TEMPLATES.
const jinja = process.env.NHSUK_JINJA_TEMPLATES;
module.exports = {
  content: [
    "portal/templates/**/*.html",
    "portal/**/*.py",
    "portal/static/js/**/*.js",
    // the scripts of the components we include (they add state classes)
    "node_modules/nhsuk-frontend/dist/nhsuk/components/{button,checkboxes,radios,error-summary,details,header,skip-link}/*.mjs",
    // the NHS.UK macros our templates import
    ...(jinja ? [`${jinja}/nhsuk/components/{breadcrumb,back-link}/*.jinja`, `${jinja}/nhsuk/macros/*.jinja`] : []),
  ],
  css: ["build/nhsuk-full.css"],
  output: "portal/static/nhsuk/nhsuk-frontend.min.css",
  // Classes that templates build from a value ("nhsuk-grid-column-{{ width }}") or scripts set.
  safelist: {
    standard: [/^nhsuk-grid-column-/, /^nhsuk-input--width-/, /^nhsuk-list--/,
               /^nhsuk-input-wrapper__/, /^nhsuk-tag--/, /^nhsuk-u-(margin|padding)/,
               /^nhsuk-heading-/, /^nhsuk-body-/, /^nhsuk-caption-/, /js-enabled/,
               /nhsuk-frontend-supported/],
    deep: [/--open$/, /--visible$/, /--active$/, /--expanded$/, /--hidden$/],
  },
  variables: true,
  keyframes: true,
  fontFace: true,
};
