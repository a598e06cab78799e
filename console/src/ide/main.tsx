import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

// The gateway's own /graphql, same origin; the bearer token goes in the Headers tab.
const fetcher = createGraphiQLFetcher({ url: new URL('/graphql', window.location.href).toString() });

const root = document.getElementById('graphiql');
if (root === null) throw new Error('no #graphiql element');
createRoot(root).render(
  <StrictMode>
    <GraphiQL
      fetcher={fetcher}
      defaultQuery={
        '# Meridian: put your bearer token in the Headers tab.\n{\n  me {\n    subject\n    roles\n  }\n  __typename\n}\n'
      }
      defaultHeaders={'{\n  "authorization": "Bearer PASTE-A-TOKEN: npx meridian token --persona dr-weber"\n}'}
    />
  </StrictMode>,
);
