import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';

// Quiet stand-ins outside jest (whose mocks need jest): the figures are the
// output.

export const quietLogger: LoggerService = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child: () => quietLogger,
};

export const quietAuditor: AuditorService = {
  createEvent: async () => ({
    success: async () => {},
    fail: async () => {},
  }),
};
