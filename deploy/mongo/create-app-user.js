/* global db, process */
// mongosh script run once by the mongo image (/docker-entrypoint-initdb.d) as the root user, on an empty data
// volume only: the service connects as this least-privileged user, never as root. readWrite covers the indexes and
// migrations Vigil runs at start-up. Changing VIGIL_MONGO_PASSWORD later needs db.changeUserPassword (docs/deploy.md).
const password = process.env.VIGIL_MONGO_PASSWORD;
if (!password) throw new Error('VIGIL_MONGO_PASSWORD is not set');
db.getSiblingDB('vigil').createUser({
  user: 'vigil',
  pwd: password,
  roles: [{ role: 'readWrite', db: 'vigil' }],
});
