// setupFiles of the `cluster` project: each test file sees the cluster's settings in
// process.env (jest gives every file its own copy), whatever another project's globalSetup
// put into the environment the workers inherited.
import { CLUSTER_TEST_ENV } from './clusterEnv';

Object.assign(process.env, CLUSTER_TEST_ENV);
