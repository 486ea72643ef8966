// Aladin Lite options for a page that may reach only its own server. Each default that would leave
// the origin is switched off: the default survey (P/DSS2/color) and the favourites list (both HiPS
// from CDS, resolved through the MocServer), the usage log ping, the SAMP hub, and name resolution
// (the target is given as coordinates, never a name, so Sesame is not asked).
/** Options that keep Aladin Lite inside the app's origin (see the module comment). */
export function offlineOptions(view: { ra: number; dec: number; fov: number }): Record<string, unknown> {
  return {
    survey: [],
    hipsList: [],
    log: false,
    samp: false,
    // Fixed-point (never exponent notation), so Aladin reads coordinates and not a name to resolve.
    target: `${view.ra.toFixed(8)} ${view.dec >= 0 ? '+' : '-'}${Math.abs(view.dec).toFixed(8)}`,
    fov: view.fov,
    cooFrame: 'ICRS',
    projection: 'TAN',
    backgroundColor: 'rgb(24, 26, 30)',
    showReticle: false,
    showLayersControl: false,
    showSimbadPointerControl: false,
    showCooGridControl: false,
    showSettingsControl: false,
    showShareControl: false,
    showProjectionControl: false,
    showFullscreenControl: false,
    showContextMenu: false,
    showFrame: false,
    showStatusBar: false,
    showCooLocation: false,
    showZoomControl: true,
    showFov: true,
  };
}

