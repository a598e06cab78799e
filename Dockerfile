# syntax=docker/dockerfile:1
# The Meridian gateway. Built from the lockfile; the final stage holds the compiled
# gateway and its production dependencies only: no compiler, no package manager, runs as
# the unprivileged `node` user, writes only to MERIDIAN_DATA_DIR (a volume), so the root
# filesystem can be mounted read-only. `scripts/docker-stages.mjs` runs these stages natively.

# deps: every dependency, exactly as locked (install scripts off, as npm 11 would have them).
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY chaincode/package.json chaincode/package-lock.json chaincode/
COPY stubs/ stubs/
RUN npm ci --ignore-scripts --no-audit --no-fund

# build: compile the chaincode and the gateway, generate the Prisma clients, then drop the dev dependencies.
FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/ scripts/
COPY prisma/ prisma/
COPY policies/ policies/
COPY chaincode/tsconfig.json chaincode/tsconfig.build.json chaincode/
COPY chaincode/src/ chaincode/src/
COPY chaincode/test/ chaincode/test/
COPY src/ src/
COPY console/ console/
COPY bin/ bin/
# npm keeps an optional peer that is installed, so the Prisma CLI (a peer of @prisma/client,
# needed only to generate) and TypeScript are removed by name; the client runs without them.
RUN npm run build \
    && npm prune --omit=dev --omit=peer --ignore-scripts --no-audit --no-fund \
    && rm -rf node_modules/prisma node_modules/@prisma/dev node_modules/@prisma/studio-core node_modules/typescript

# runtime
FROM node:24-bookworm-slim AS runtime
# No package manager at run time: nothing installs anything into a running gateway.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack /usr/local/bin/npm \
      /usr/local/bin/npx /usr/local/bin/corepack /opt/yarn-* /usr/local/bin/yarn /usr/local/bin/yarnpkg \
    && mkdir -p /var/lib/meridian && chown node:node /var/lib/meridian
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    MERIDIAN_DATA_DIR=/var/lib/meridian
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules/ node_modules/
COPY --from=build /app/chaincode/package.json chaincode/
COPY --from=build /app/chaincode/dist/ chaincode/dist/
COPY --from=build /app/dist/ dist/
# The slimmed FHIR R4 StructureDefinitions `npm run generate` wrote, which dist/fhir reads from here.
COPY --from=build /app/src/generated/fhir-r4-definitions.json src/generated/
COPY --from=build /app/bin/ bin/
COPY --from=build /app/policies/ policies/
COPY --from=build /app/prisma/ prisma/
USER node
VOLUME ["/var/lib/meridian"]
EXPOSE 4000
HEALTHCHECK --interval=15s --timeout=3s --start-period=90s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The gateway drains requests, anchors the last audit events and exits 0 on SIGTERM.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/meridian.js"]
CMD ["serve"]
