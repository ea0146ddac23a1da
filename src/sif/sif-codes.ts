/**
 * The code sets of SIF 2.x infrastructure (SIF Implementation Specification
 * 2.x, Appendix B "Code Sets"): SIF_Ack status codes, SIF_Error categories
 * and each category's error codes. The numbers are those the US 2.4 XSD
 * enumerates in InfrastructureStatusCodeType, InfrastructureErrorCategoryType
 * and the Infrastructure…ErrorType simple types.
 */

/** SIF_Status/SIF_Code values (InfrastructureStatusCodeType). */
export const SIF_STATUS = {
  /** ZIS only: success; SIF_Status/SIF_Data may carry data. */
  success: 0,
  /** Agent only: immediate ack, the message is persisted or processed. */
  immediate: 1,
  /** Agent only, events only: intermediate ack, invokes Selective Message Blocking. */
  intermediate: 2,
  /** Agent only: final ack, ends Selective Message Blocking. */
  final: 3,
  /** Already have a message with this SIF_MsgId from you. */
  duplicate: 7,
  /** Receiver is sleeping. */
  sleeping: 8,
  /** No messages available (pull). */
  noMessages: 9,
} as const;

/** A SIF_Status/SIF_Code value. */
export type SifStatusCode = (typeof SIF_STATUS)[keyof typeof SIF_STATUS];

/** Descriptions of the status codes, used as SIF_Status/SIF_Desc. */
export const SIF_STATUS_TEXT: Readonly<Record<SifStatusCode, string>> = {
  0: 'Success',
  1: 'Immediate SIF_Ack: message persisted or processing complete',
  2: 'Intermediate SIF_Ack: Selective Message Blocking invoked',
  3: 'Final SIF_Ack: Selective Message Blocking ended',
  7: 'Already have a message with this SIF_MsgId from you',
  8: 'Receiver is sleeping',
  9: 'No messages available',
};

/** SIF_Error/SIF_Category values (InfrastructureErrorCategoryType). */
export const SIF_CATEGORY = {
  unknown: 0,
  xmlValidation: 1,
  encryption: 2,
  authentication: 3,
  accessAndPermission: 4,
  registration: 5,
  provision: 6,
  subscription: 7,
  requestAndResponse: 8,
  eventReportingAndProcessing: 9,
  transport: 10,
  system: 11,
  genericMessageHandling: 12,
  smbHandling: 13,
  zoneService: 14,
} as const;

/** A SIF_Error/SIF_Category value. */
export type SifCategory = (typeof SIF_CATEGORY)[keyof typeof SIF_CATEGORY];

/** Names of the categories. */
export const SIF_CATEGORY_TEXT: Readonly<Record<SifCategory, string>> = {
  0: 'Unknown',
  1: 'XML Validation',
  2: 'Encryption',
  3: 'Authentication',
  4: 'Access and Permissions',
  5: 'Registration',
  6: 'Provision',
  7: 'Subscription',
  8: 'Request and Response',
  9: 'Event Reporting and Processing',
  10: 'Transport',
  11: 'System (OS, Database, Vendor localized, etc.)',
  12: 'Generic Message Handling',
  13: 'SMB Handling',
  14: 'SIF Zone Service',
};

/**
 * Each category's error codes and their standard SIF_Desc text. Codes the
 * specification reserves are left out; category 11 (System) may use codes
 * outside its table, as the specification allows.
 */
export const SIF_ERROR_TEXT: Readonly<Record<SifCategory, Readonly<Record<number, string>>>> = {
  0: {},
  1: {
    1: 'Generic error',
    2: 'Message is not well-formed',
    3: 'Generic validation error',
    4: 'Invalid value for element/attribute',
    6: 'Missing mandatory element/attribute',
  },
  2: { 1: 'Generic error' },
  3: {
    1: 'Generic error',
    2: 'Generic authentication error (with signature)',
    3: "Missing sender's certificate",
    4: 'Invalid certificate',
    5: "Sender's certificate is not trusted",
    6: 'Expired certificate',
    7: 'Invalid signature',
    8: 'Invalid encryption algorithm',
    9: 'Missing public key of the receiver (when decrypting message)',
    10: "Missing receiver's private key (when decrypting message)",
  },
  4: {
    1: 'Generic error',
    2: 'No permission to register',
    3: 'No permission to provide this object',
    4: 'No permission to subscribe to this SIF_Event',
    5: 'No permission to request this object',
    6: 'No permission to respond to this object request',
    7: 'No permission to publish SIF_Event',
    8: 'No permission to administer policies',
    9: 'SIF_SourceId is not registered',
    10: 'No permission to publish SIF_Event Add',
    11: 'No permission to publish SIF_Event Change',
    12: 'No permission to publish SIF_Event Delete',
  },
  5: {
    1: 'Generic error',
    2: 'The SIF_SourceId is invalid',
    3: 'Requested transport protocol is unsupported',
    4: 'Requested SIF_Version(s) not supported',
    6: 'Requested SIF_MaxBufferSize is too small',
    7: 'ZIS requires a secure transport',
    9: 'Agent is registered for push mode',
    10: 'ZIS does not support the requested Accept-Encoding value',
  },
  6: {
    1: 'Generic error',
    3: 'Invalid object',
    4: 'Object already has a provider',
  },
  7: { 1: 'Generic error', 3: 'Invalid object' },
  8: {
    1: 'Generic error',
    3: 'Invalid object',
    4: 'No provider',
    7: 'Responder does not support requested SIF_Version',
    8: 'Responder does not support requested SIF_MaxBufferSize',
    9: 'Unsupported query in request',
    10: 'Invalid SIF_RequestMsgId specified in SIF_Response',
    11: 'SIF_Response is larger than requested SIF_MaxBufferSize',
    12: 'SIF_PacketNumber is invalid in SIF_Response',
    13: 'SIF_Response does not match any SIF_Version from SIF_Request',
    14: 'SIF_DestinationId does not match SIF_SourceId from SIF_Request',
    15: 'No support for SIF_ExtendedQuery',
    16: 'SIF_RequestMsgId deleted from cache due to timeout',
    17: 'SIF_RequestMsgId deleted from cache by administrator',
    18: 'SIF_Request cancelled by requesting agent',
  },
  9: { 1: 'Generic error', 3: 'Invalid event' },
  10: {
    1: 'Generic error',
    2: 'Requested protocol is not supported',
    3: 'Secure channel requested and no secure path exists',
    4: 'Unable to establish connection',
  },
  11: { 1: 'Generic error' },
  12: {
    1: 'Generic error',
    2: 'Message not supported',
    3: 'Version not supported',
    4: 'Context not supported',
    5: 'Protocol error',
    6: 'No such message (as identified by SIF_OriginalMsgId)',
    7: 'Multiple contexts not supported',
  },
  13: {
    1: 'Generic error',
    2: 'SMB can only be invoked during a SIF_Event acknowledgement',
    3: 'Final SIF_Ack expected from Push-Mode Agent',
    4: 'Incorrect SIF_MsgId in final SIF_Ack',
  },
  14: {},
};
