#!/usr/bin/env node
// Regenerates apps/server/src/openapi/response-schemas.json: the REST API's response schemas, read from the
// controllers' return types (scripts/lib/openapi-responses.js). Run after changing a controller's return type or
// a type of @wharf/api-types it answers with; apps/server/src/openapi/openapi.test.ts fails until you do.
// Usage: npm run openapi:responses
'use strict';
const { writeFileSync } = require('node:fs');
const { relative } = require('node:path');
const { generate, render, OUTPUT } = require('./lib/openapi-responses');

writeFileSync(OUTPUT, render(generate()));
console.log(`wrote ${relative(process.cwd(), OUTPUT)}`);
