/** The part of a Swagger 2.0 document the check reads. */

export type SwaggerSchema = {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  properties?: Record<string, SwaggerSchema>;
  required?: string[];
  items?: SwaggerSchema;
  additionalProperties?: boolean | SwaggerSchema;
  minimum?: number;
  maximum?: number;
};

export type SwaggerParameter = SwaggerSchema & {
  name: string;
  in: "path" | "query" | "header" | "body" | "formData";
  required?: boolean;
  schema?: SwaggerSchema;
  collectionFormat?: string;
};

export type SwaggerOperation = { parameters?: SwaggerParameter[]; consumes?: string[] };

export type SwaggerPathItem = Record<string, SwaggerOperation | SwaggerParameter[] | undefined> & {
  parameters?: SwaggerParameter[];
};

export type SwaggerSpec = {
  basePath?: string;
  paths: Record<string, SwaggerPathItem>;
  definitions?: Record<string, SwaggerSchema>;
  securityDefinitions?: Record<string, { type: string; in?: string; name?: string }>;
};
