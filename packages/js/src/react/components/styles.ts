// The components' stylesheet. Themed with CSS custom properties (set them on :root or on any
// ancestor; each has a default): see THEME_VARIABLES and the README.
//
// It is added to the document as a constructed stylesheet (document.adoptedStyleSheets), not as a
// <style> element, so it works under a strict Content-Security-Policy (`style-src 'self'`, no
// 'unsafe-inline'): constructed stylesheets are CSSOM, which CSP does not restrict. Pass
// `injectStyles={false}` to <TesseraUIProvider> to bring your own (tesseraCss is the text).

/** The theme's custom properties and their defaults. */
export const THEME_VARIABLES = {
  '--tessera-color-primary': '#3451d1',
  '--tessera-color-primary-text': '#ffffff',
  '--tessera-color-background': '#ffffff',
  '--tessera-color-text': '#1c2430',
  '--tessera-color-muted': '#5a6475',
  '--tessera-color-border': '#d5dae2',
  '--tessera-color-input-background': '#ffffff',
  '--tessera-color-danger': '#9b1c1c',
  '--tessera-color-danger-background': '#fdecec',
  '--tessera-color-success': '#1f6f43',
  '--tessera-color-success-background': '#e8f5ee',
  '--tessera-color-focus': '#7b93ff',
  '--tessera-font-family': 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  '--tessera-font-size': '15px',
  '--tessera-radius': '8px',
  '--tessera-card-width': '26rem',
  '--tessera-shadow': '0 1px 3px rgba(0, 0, 0, 0.12)',
} as const;

export type ThemeVariable = keyof typeof THEME_VARIABLES;

const v = (name: ThemeVariable): string => `var(${name}, ${THEME_VARIABLES[name]})`;

// In a cascade layer: any unlayered rule of the application wins over these, whatever the order.
export const tesseraCss = `@layer tessera {
.tsr-root { font-family: ${v('--tessera-font-family')}; font-size: ${v('--tessera-font-size')}; line-height: 1.5; color: ${v('--tessera-color-text')}; box-sizing: border-box; }
.tsr-root *, .tsr-root *::before, .tsr-root *::after { box-sizing: inherit; }
.tsr-card { width: 100%; max-width: ${v('--tessera-card-width')}; margin: 0 auto; background: ${v('--tessera-color-background')}; border: 1px solid ${v('--tessera-color-border')}; border-radius: calc(${v('--tessera-radius')} * 1.5); padding: 1.75rem; box-shadow: ${v('--tessera-shadow')}; }
.tsr-wide { max-width: 52rem; }
.tsr-title { margin: 0 0 .25rem; font-size: 1.35em; line-height: 1.3; }
.tsr-title:focus { outline: none; }
.tsr-subtitle, .tsr-muted { color: ${v('--tessera-color-muted')}; margin: 0 0 1rem; }
.tsr-section { margin-top: 1.5rem; }
.tsr-section-title { font-size: 1.05em; margin: 0 0 .5rem; display: flex; align-items: center; justify-content: space-between; gap: .5rem; }
.tsr-form { display: flex; flex-direction: column; gap: .9rem; margin: 0; }
.tsr-field { display: flex; flex-direction: column; gap: .3rem; }
.tsr-field-row { display: flex; gap: .75rem; }
.tsr-field-row > .tsr-field { flex: 1; min-width: 0; }
.tsr-label { font-weight: 600; font-size: .93em; }
.tsr-hint { color: ${v('--tessera-color-muted')}; font-size: .85em; }
.tsr-input, .tsr-select, .tsr-textarea { width: 100%; padding: .55rem .7rem; border: 1px solid ${v('--tessera-color-border')}; border-radius: ${v('--tessera-radius')}; background: ${v('--tessera-color-input-background')}; color: inherit; font: inherit; }
.tsr-textarea { min-height: 4.5rem; resize: vertical; }
.tsr-input[readonly] { background: ${v('--tessera-color-border')}; background: color-mix(in srgb, ${v('--tessera-color-border')} 40%, transparent); }
.tsr-input[aria-invalid="true"], .tsr-textarea[aria-invalid="true"] { border-color: ${v('--tessera-color-danger')}; }
.tsr-input:focus-visible, .tsr-select:focus-visible, .tsr-textarea:focus-visible, .tsr-button:focus-visible, .tsr-link:focus-visible, .tsr-menu-item:focus-visible { outline: 3px solid ${v('--tessera-color-focus')}; outline-offset: 1px; }
.tsr-button { display: inline-flex; align-items: center; justify-content: center; gap: .4rem; padding: .6rem 1rem; border: 1px solid transparent; border-radius: ${v('--tessera-radius')}; background: ${v('--tessera-color-primary')}; color: ${v('--tessera-color-primary-text')}; font: inherit; font-weight: 600; cursor: pointer; text-decoration: none; }
.tsr-button[disabled], .tsr-button[aria-disabled="true"] { opacity: .6; cursor: default; }
.tsr-button-block { width: 100%; }
.tsr-button-secondary { background: transparent; color: ${v('--tessera-color-primary')}; border-color: ${v('--tessera-color-border')}; }
.tsr-button-danger { background: transparent; color: ${v('--tessera-color-danger')}; border-color: ${v('--tessera-color-border')}; }
.tsr-button-small { padding: .3rem .65rem; font-size: .88em; }
.tsr-link { color: ${v('--tessera-color-primary')}; background: none; border: 0; padding: 0; font: inherit; cursor: pointer; text-decoration: underline; }
.tsr-actions { display: flex; flex-wrap: wrap; gap: .5rem; margin-top: 1rem; }
.tsr-item-actions { display: flex; flex-wrap: wrap; align-items: center; justify-content: flex-end; gap: .5rem; flex: none; }
.tsr-footer { margin: 1.25rem 0 0; text-align: center; color: ${v('--tessera-color-muted')}; font-size: .93em; }
.tsr-alert { margin: 0; padding: .6rem .8rem; border-radius: ${v('--tessera-radius')}; background: ${v('--tessera-color-danger-background')}; color: ${v('--tessera-color-danger')}; }
.tsr-notice { margin: 0 0 1rem; padding: .6rem .8rem; border-radius: ${v('--tessera-radius')}; background: color-mix(in srgb, ${v('--tessera-color-primary')} 8%, transparent); }
.tsr-status { margin: 0; color: ${v('--tessera-color-success')}; font-size: .93em; }
.tsr-status:empty, .tsr-alert:empty { display: none; }
.tsr-invited { margin: 0 0 1rem; }
.tsr-list { list-style: none; margin: 0; padding: 0; }
.tsr-list-item { display: flex; align-items: center; justify-content: space-between; gap: .75rem; padding: .6rem 0; border-bottom: 1px solid ${v('--tessera-color-border')}; }
.tsr-list-item:last-child { border-bottom: 0; }
.tsr-list-main { min-width: 0; display: flex; flex-direction: column; }
.tsr-list-title { font-weight: 600; overflow-wrap: anywhere; }
.tsr-list-meta { color: ${v('--tessera-color-muted')}; font-size: .88em; overflow-wrap: anywhere; }
.tsr-badge { display: inline-block; padding: .05rem .5rem; border-radius: 999px; font-size: .78em; font-weight: 600; background: color-mix(in srgb, ${v('--tessera-color-primary')} 14%, transparent); color: ${v('--tessera-color-primary')}; white-space: nowrap; }
.tsr-badge-pending { background: #fff4d6; color: #7a5300; }
.tsr-badge-accepted { background: ${v('--tessera-color-success-background')}; color: ${v('--tessera-color-success')}; }
.tsr-badge-revoked, .tsr-badge-expired { background: ${v('--tessera-color-danger-background')}; color: ${v('--tessera-color-danger')}; }
.tsr-table { width: 100%; border-collapse: collapse; font-size: .95em; }
.tsr-table th, .tsr-table td { text-align: left; padding: .45rem .5rem; border-bottom: 1px solid ${v('--tessera-color-border')}; vertical-align: top; overflow-wrap: anywhere; }
.tsr-table th { color: ${v('--tessera-color-muted')}; font-weight: 600; font-size: .88em; }
.tsr-status-group { margin-top: .9rem; }
.tsr-status-group h4 { margin: 0 0 .25rem; font-size: .95em; display: flex; gap: .5rem; align-items: center; }
.tsr-popover-anchor { position: relative; display: inline-block; }
.tsr-trigger { display: inline-flex; align-items: center; gap: .5rem; padding: .35rem .6rem; border: 1px solid ${v('--tessera-color-border')}; border-radius: ${v('--tessera-radius')}; background: ${v('--tessera-color-background')}; color: inherit; font: inherit; cursor: pointer; }
.tsr-trigger:focus-visible { outline: 3px solid ${v('--tessera-color-focus')}; outline-offset: 1px; }
.tsr-avatar { display: inline-flex; align-items: center; justify-content: center; width: 1.9rem; height: 1.9rem; border-radius: 50%; background: ${v('--tessera-color-primary')}; color: ${v('--tessera-color-primary-text')}; font-weight: 700; font-size: .82em; flex: none; }
.tsr-avatar-square { border-radius: calc(${v('--tessera-radius')} / 1.5); }
.tsr-popover { position: absolute; right: 0; top: calc(100% + .35rem); z-index: 10; min-width: 16rem; max-width: 22rem; background: ${v('--tessera-color-background')}; border: 1px solid ${v('--tessera-color-border')}; border-radius: ${v('--tessera-radius')}; box-shadow: 0 6px 24px rgba(0, 0, 0, .14); padding: .5rem; }
.tsr-popover-left { left: 0; right: auto; }
.tsr-popover-header { padding: .4rem .5rem .6rem; border-bottom: 1px solid ${v('--tessera-color-border')}; margin-bottom: .35rem; }
.tsr-menu-item { display: flex; width: 100%; align-items: center; justify-content: space-between; gap: .5rem; padding: .5rem; border: 0; border-radius: calc(${v('--tessera-radius')} / 1.5); background: none; color: inherit; font: inherit; text-align: left; cursor: pointer; text-decoration: none; }
.tsr-menu-item:hover { background: color-mix(in srgb, ${v('--tessera-color-primary')} 8%, transparent); }
.tsr-visually-hidden { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }
}
`;

const injected = new WeakSet<object>();

/** Adds the stylesheet to `doc` once (no-op where constructed stylesheets are unsupported). */
export function injectTesseraStyles(doc: Document | undefined = globalThis.document): void {
  if (!doc || injected.has(doc)) return;
  const Sheet = doc.defaultView?.CSSStyleSheet;
  if (!Sheet || !('adoptedStyleSheets' in doc) || typeof Sheet.prototype.replaceSync !== 'function') return;
  try {
    const sheet = new Sheet();
    sheet.replaceSync(tesseraCss);
    doc.adoptedStyleSheets = [sheet, ...doc.adoptedStyleSheets];
    injected.add(doc);
  } catch {
    // A DOM without constructable stylesheets: the components still work, unstyled.
  }
}
