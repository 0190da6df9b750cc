// `npm run openapi`: regenerate the committed OpenAPI document.
import { writeFileSync } from 'node:fs';
import { generateOpenApiDocument, OPENAPI_PATH } from '../src/http/openapi-document.ts';

writeFileSync(OPENAPI_PATH, await generateOpenApiDocument());
console.log(`wrote ${OPENAPI_PATH}`);
