import * as z from 'zod/mini';

/** The body of every error answer: `{"error": "Character not found"}`. */
export const errorBodySchema = z.object({ error: z.string() });

/** A record as the API serves it; the type is inferred from `errorBodySchema`. */
export interface ErrorBody extends z.infer<typeof errorBodySchema> {}
