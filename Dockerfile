# fsm-controller: Node 20, the compiled program (dist/) and its production
# dependencies; runs as a non-root user on a read-only root file system.
#
# The build context is prepared by scripts/image-context.sh (after
# `npm ci && npm run build`): dist/ (cache, server, src with the built-in Pipy
# base scripts), proto/, package.json and the production node_modules. No
# TypeScript sources, tests or dev dependencies.
#
#   scripts/image-context.sh /tmp/ctx && buildah bud -t fsm-controller:0.1.0 -f Dockerfile /tmp/ctx
FROM docker.io/library/node:20-bookworm-slim

WORKDIR /opt/fsm-controller
COPY . .

# A numeric user (no passwd entry needed); the chart sets the same in its securityContext.
USER 65532:65532
ENV NODE_ENV=production \
    HOME=/tmp

# Pipy repo, injector webhook, health/metrics, xDS.
EXPOSE 6060 9090 9091 15128
ENTRYPOINT ["node", "/opt/fsm-controller/dist/src/cli/main.js"]
