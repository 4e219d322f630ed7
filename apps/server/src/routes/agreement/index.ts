import { attributeAgreement, baselineAgreement, staffRoles } from '@calma/core';
import { agreementMaterial, type Database } from '@calma/db';
import { Agreement, AgreementQuery, authErrors, idParams } from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { access, groupScope } from '../../plugins/auth.js';

/**
 * Agreement on the baseline set (moderators, analysts, the admin): Krippendorff's alpha per code and
 * per attribute, computed in core from the group's baseline interactions, the participants' labels
 * on them and the group's attributes.
 * Participants are refused: who disagrees with whom is for those who run the study.
 */
export const agreementRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  app.get(
    '/api/groups/:groupId/agreement',
    {
      config: { access: access.group(staffRoles) },
      schema: {
        tags: ['agreement'],
        summary:
          "Krippendorff's alpha (nominal) per code over the baseline set, pooled over every code (`overall`), per attribute (interval); `?code=` lists where coders split over that code",
        params: idParams('groupId'),
        querystring: AgreementQuery,
        response: { 200: Agreement, ...authErrors },
      },
    },
    async (request) => {
      const { group } = groupScope(request);
      const material = await agreementMaterial(db, group.id);
      const asked = request.query.code;
      return {
        ...baselineAgreement(material.interactions, material.labels, {
          disagreementsOf: asked === undefined ? [] : typeof asked === 'string' ? [asked] : asked,
        }),
        attributes: attributeAgreement(material.interactions, material.labels, material.attributes),
      };
    },
  );
};
