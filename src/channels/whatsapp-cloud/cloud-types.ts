/**
 * The parts of the WhatsApp Business Cloud API's webhook payload that the
 * channel reads (Graph API `whatsapp_business_account` object). Everything is
 * optional: the payload comes from outside and is checked field by field.
 */
export interface CloudWebhookPayload {
  object?: string;
  entry?: Array<{
    id?: string;
    changes?: Array<{ field?: string; value?: CloudChangeValue }>;
  }>;
}

export interface CloudChangeValue {
  messaging_product?: string;
  metadata?: { display_phone_number?: string; phone_number_id?: string };
  contacts?: Array<{ wa_id?: string; profile?: { name?: string } }>;
  messages?: CloudInboundMessage[];
  statuses?: CloudStatus[];
}

export interface CloudInboundMessage {
  id?: string;
  from?: string;
  timestamp?: string;
  type?: string;
  context?: { id?: string; from?: string };
  text?: { body?: string };
  interactive?: {
    type?: string;
    button_reply?: { id?: string; title?: string };
    list_reply?: { id?: string; title?: string };
  };
  button?: { text?: string; payload?: string };
  location?: { latitude?: number | string; longitude?: number | string };
  image?: CloudMedia;
  audio?: CloudMedia & { voice?: boolean };
  document?: CloudMedia;
  video?: CloudMedia;
  sticker?: CloudMedia;
  contacts?: Array<{ phones?: Array<{ phone?: string; wa_id?: string }> }>;
}

export interface CloudMedia {
  id?: string;
  mime_type?: string;
  caption?: string;
  filename?: string;
}

export interface CloudStatus {
  id?: string;
  status?: string;
  timestamp?: string;
  recipient_id?: string;
  errors?: Array<{ code?: number; title?: string }>;
}
