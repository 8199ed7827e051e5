// Builds plotly.js with only the trace types the dashboard draws, as one minified script that
// dashboard/assets serves (dcc.Graph uses window.Plotly when a page defines it, instead of loading the
// full 4.8 MB bundle). Run through `make plotly-bundle`; usage:
//   node build.mjs --version 4.1.1 --traces bar,choropleth,scatter --out ../assets/plotly-wijkmonitor.min.js
// The esbuild settings are plotly.js's own (its esbuild-config.js, as its partial bundles use them), less the
// GLSL plugin and regl alias only WebGL traces need; the entry point is lib/index.js cut down to core and the
// chosen traces, as plotly.js's partial-bundle task does (that task lives in its repository, not in the npm package).
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const { values } = parseArgs({ options: {
    version: { type: 'string' }, traces: { type: 'string' }, out: { type: 'string' } } });
if (!values.version || !values.traces || !values.out) {
    throw new Error('usage: node build.mjs --version X.Y.Z --traces a,b,c --out FILE');
}

const root = path.dirname(require.resolve('plotly.js/package.json'));
const installed = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version;
// The bundle must be the plotly.js the installed plotly.py writes figures for, or figures could differ.
if (installed !== values.version) {
    throw new Error(`plotly.js ${installed} is installed, plotly.py expects ${values.version}: change package.json`);
}
const traces = [...new Set(values.traces.split(',').map((t) => t.trim()).filter(Boolean))].sort();
for (const trace of traces) require.resolve(`plotly.js/lib/${trace}`);  // an unknown trace type fails here

const scratch = mkdtempSync(path.join(tmpdir(), 'plotlyjs-'));
const entry = path.join(scratch, 'index.js');
writeFileSync(entry, [
    `var Plotly = require(${JSON.stringify(path.join(root, 'lib/core'))});`,
    `Plotly.register([${traces.map((t) => `require(${JSON.stringify(path.join(root, 'lib', t))})`).join(', ')}]);`,
    'module.exports = Plotly;',
].join('\n'));

const { default: inlineCss } = await import('esbuild-plugin-inline-css');
const { environmentPlugin } = await import('esbuild-plugin-environment');
try {
    await build({
        entryPoints: [entry],
        outfile: values.out,
        format: 'iife',
        globalName: 'Plotly',
        bundle: true,
        minify: true,
        sourcemap: false,
        legalComments: 'none',
        plugins: [inlineCss(), environmentPlugin({ NODE_DEBUG: false })],
        alias: { stream: 'stream-browserify' },
        define: { global: 'window', 'define.amd': 'false' },
        target: 'es2016',
        banner: { js: `/* plotly.js v${installed} (wijkmonitor partial bundle: ${traces.join(', ')}); MIT licence: plotly.LICENSE.txt */` },
        logLevel: 'warning',
    });
} finally {
    rmSync(scratch, { recursive: true, force: true });
}
copyFileSync(path.join(root, 'LICENSE'), path.join(path.dirname(values.out), 'plotly.LICENSE.txt'));
console.log(`${values.out}: plotly.js ${installed} with ${traces.join(', ')}`);
