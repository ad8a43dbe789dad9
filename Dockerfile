# App image for the API, the worker and the one-shot migrate job (see docker-compose.yml).
FROM node:20-slim

WORKDIR /app
RUN chown node:node /app
USER node

# Dependencies first, so this layer is cached until the lock file changes.
# (Dev dependencies are kept: the services run TypeScript through tsx, migrations use drizzle.)
COPY --chown=node:node package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY --chown=node:node . .

ENV API_HOST=0.0.0.0 \
    API_PORT=3000
EXPOSE 3000

CMD ["npm", "run", "start:api"]
