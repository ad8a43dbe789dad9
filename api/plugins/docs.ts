import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';

export default fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Railbook API',
          version: '0.1.0',
          description:
            'Train search, accounts and bookings. Errors always carry a stable `error.code`. ' +
            'Per-stop times and distances are derived from real end-to-end figures (see db/seed/README.md).',
        },
        components: {
          securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        },
        tags: [
          { name: 'health', description: 'Liveness and readiness' },
          { name: 'auth', description: 'Register and log in' },
          { name: 'catalog', description: 'Stations, trains, search and availability' },
          { name: 'bookings', description: 'Hold, pay, cancel and list bookings' },
          { name: 'support', description: 'Support staff: act on a booking (role support or admin)' },
          { name: 'admin', description: 'Operators: timetable, runs, delays, cancellations (role admin)' },
        ],
      },
    });
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      // The docs pages get a CSP of their own (the API's, from helmet, allows no inline style):
      // scripts only from this origin; inline styles allowed, as swagger-ui injects one at run time
      // (measured in Chromium: blocked otherwise). Without upgrade-insecure-requests, so the page
      // loads over plain http on a developer machine.
      staticCSP: true,
      transformStaticCSP: (header) =>
        header.replace(/\s*upgrade-insecure-requests;?/, '').replace(/style-src ([^;]*);/, "style-src $1 'unsafe-inline';"),
    });
  },
  { name: 'docs' },
);
