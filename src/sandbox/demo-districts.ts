/** The sandbox's demo districts: fictional, in different states. */
export const DEMO_DISTRICTS = [
  { key: 'saguaro', ncesId: '0499901', name: 'Saguaro Unified School District', state: 'AZ', applicationName: 'rex-saguaro', port: 4101 },
  { key: 'tenlakes', ncesId: '2799901', name: 'Ten Lakes Public Schools', state: 'MN', applicationName: 'rex-tenlakes', port: 4102 },
] as const;

/** The router's port in the sandbox. */
export const SANDBOX_ROUTER_PORT = 4000;
