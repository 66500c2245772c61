-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Platform" AS ENUM ('slack', 'teams');

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('learner', 'assessor', 'manager', 'iqa', 'admin');

-- CreateEnum
CREATE TYPE "EntryStatus" AS ENUM ('pending', 'changes_requested', 'approved', 'rejected', 'awaiting_countersignature');

-- CreateEnum
CREATE TYPE "DecisionOutcome" AS ENUM ('approve', 'changes', 'reject');

-- CreateEnum
CREATE TYPE "OutboxStatus" AS ENUM ('pending', 'sent', 'dead');

-- CreateTable
CREATE TABLE "Workspace" (
    "id" TEXT NOT NULL,
    "platform" "Platform" NOT NULL,
    "externalId" TEXT NOT NULL,
    "name" TEXT,
    "iqaSampleRate" DOUBLE PRECISION NOT NULL DEFAULT 0.1,
    "assessorChannelId" TEXT,
    "contactRetentionMonths" INTEGER NOT NULL DEFAULT 24,
    "learnerRetentionYears" INTEGER NOT NULL DEFAULT 6,
    "reviewIntervalWeeks" INTEGER NOT NULL DEFAULT 8,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Workspace_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Person" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "platform" "Platform" NOT NULL,
    "externalId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT,
    "timezone" TEXT,
    "roles" "Role"[],
    "qualified" BOOLEAN NOT NULL DEFAULT true,
    "erasedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Person_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Enrolment" (
    "id" TEXT NOT NULL,
    "learnerId" TEXT NOT NULL,
    "qualificationId" TEXT NOT NULL,
    "optionalUnits" TEXT[],
    "assessorId" TEXT,
    "managerId" TEXT,
    "iqaId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'active',
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Enrolment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LearnerSettings" (
    "personId" TEXT NOT NULL,
    "cadence" TEXT NOT NULL DEFAULT 'weekly',
    "dayOfWeek" INTEGER NOT NULL DEFAULT 1,
    "timeOfDay" TEXT NOT NULL DEFAULT '09:00',
    "quietStart" TEXT,
    "quietEnd" TEXT,
    "snoozedUntil" TIMESTAMP(3),
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "nextCheckInAt" TIMESTAMP(3),
    "lastCheckInAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LearnerSettings_pkey" PRIMARY KEY ("personId")
);

-- CreateTable
CREATE TABLE "Entry" (
    "id" TEXT NOT NULL,
    "learnerId" TEXT NOT NULL,
    "enrolmentId" TEXT NOT NULL,
    "occurredAt" TIMESTAMP(3) NOT NULL,
    "summary" TEXT NOT NULL,
    "kind" TEXT,
    "channel" TEXT,
    "outcome" TEXT,
    "minutes" INTEGER,
    "simulated" BOOLEAN NOT NULL DEFAULT false,
    "placement" BOOLEAN NOT NULL DEFAULT false,
    "followUpAt" TIMESTAMP(3),
    "followUpDoneAt" TIMESTAMP(3),
    "contactId" TEXT,
    "status" "EntryStatus" NOT NULL DEFAULT 'pending',
    "version" INTEGER NOT NULL DEFAULT 1,
    "idempotencyKey" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Entry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EntryCriterion" (
    "entryId" TEXT NOT NULL,
    "unitRef" TEXT NOT NULL,
    "number" TEXT NOT NULL,

    CONSTRAINT "EntryCriterion_pkey" PRIMARY KEY ("entryId","unitRef","number")
);

-- CreateTable
CREATE TABLE "EntryEvent" (
    "id" TEXT NOT NULL,
    "entryId" TEXT NOT NULL,
    "actorId" TEXT,
    "action" TEXT NOT NULL,
    "fromStatus" "EntryStatus",
    "toStatus" "EntryStatus",
    "note" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "EntryEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Decision" (
    "id" TEXT NOT NULL,
    "entryId" TEXT NOT NULL,
    "assessorId" TEXT NOT NULL,
    "outcome" "DecisionOutcome" NOT NULL,
    "feedback" TEXT,
    "standIn" BOOLEAN NOT NULL DEFAULT false,
    "needsCountersign" BOOLEAN NOT NULL DEFAULT false,
    "countersignedById" TEXT,
    "countersignOutcome" TEXT,
    "countersignNote" TEXT,
    "countersignedAt" TIMESTAMP(3),
    "entryVersion" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Decision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IqaSample" (
    "id" TEXT NOT NULL,
    "decisionId" TEXT NOT NULL,
    "iqaId" TEXT NOT NULL,
    "week" TEXT NOT NULL,
    "outcome" TEXT,
    "note" TEXT,
    "decidedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "IqaSample_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WitnessRequest" (
    "id" TEXT NOT NULL,
    "entryId" TEXT NOT NULL,
    "witnessId" TEXT NOT NULL,
    "requestedById" TEXT NOT NULL,
    "statement" TEXT,
    "submittedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WitnessRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Contact" (
    "id" TEXT NOT NULL,
    "ownerId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "org" TEXT,
    "kind" TEXT NOT NULL DEFAULT 'other',
    "email" TEXT,
    "phone" TEXT,
    "channel" TEXT,
    "availability" TEXT,
    "consent" BOOLEAN,
    "consentAt" TIMESTAMP(3),
    "consentMethod" TEXT,
    "noticeSentAt" TIMESTAMP(3),
    "nextContactAt" TIMESTAMP(3),
    "lastInteractionAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Contact_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ContactReview" (
    "id" TEXT NOT NULL,
    "contactId" TEXT NOT NULL,
    "learnerId" TEXT NOT NULL,
    "value" INTEGER NOT NULL,
    "activity" INTEGER NOT NULL,
    "potential" INTEGER NOT NULL,
    "rationale" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "entryId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ContactReview_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OutboxMessage" (
    "id" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "recipientId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" "OutboxStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" TIMESTAMP(3),
    "lastError" TEXT,
    "sentAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OutboxMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PostedMessage" (
    "id" TEXT NOT NULL,
    "platform" "Platform" NOT NULL,
    "conversationId" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "recipientId" TEXT,
    "entryId" TEXT,
    "contactId" TEXT,
    "purpose" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PostedMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "JobRun" (
    "job" TEXT NOT NULL,
    "slot" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "summary" JSONB,

    CONSTRAINT "JobRun_pkey" PRIMARY KEY ("job","slot")
);

-- CreateTable
CREATE TABLE "ConversationRef" (
    "personId" TEXT NOT NULL,
    "reference" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ConversationRef_pkey" PRIMARY KEY ("personId")
);

-- CreateTable
CREATE TABLE "ProcessedRequest" (
    "key" TEXT NOT NULL,
    "result" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProcessedRequest_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "Workspace_platform_externalId_key" ON "Workspace"("platform", "externalId");

-- CreateIndex
CREATE INDEX "Person_platform_externalId_idx" ON "Person"("platform", "externalId");

-- CreateIndex
CREATE INDEX "Person_email_idx" ON "Person"("email");

-- CreateIndex
CREATE UNIQUE INDEX "Person_workspaceId_externalId_key" ON "Person"("workspaceId", "externalId");

-- CreateIndex
CREATE INDEX "Enrolment_assessorId_idx" ON "Enrolment"("assessorId");

-- CreateIndex
CREATE INDEX "Enrolment_managerId_idx" ON "Enrolment"("managerId");

-- CreateIndex
CREATE UNIQUE INDEX "Enrolment_learnerId_qualificationId_key" ON "Enrolment"("learnerId", "qualificationId");

-- CreateIndex
CREATE INDEX "LearnerSettings_nextCheckInAt_idx" ON "LearnerSettings"("nextCheckInAt");

-- CreateIndex
CREATE UNIQUE INDEX "Entry_idempotencyKey_key" ON "Entry"("idempotencyKey");

-- CreateIndex
CREATE INDEX "Entry_learnerId_createdAt_idx" ON "Entry"("learnerId", "createdAt");

-- CreateIndex
CREATE INDEX "Entry_enrolmentId_status_idx" ON "Entry"("enrolmentId", "status");

-- CreateIndex
CREATE INDEX "Entry_followUpAt_idx" ON "Entry"("followUpAt");

-- CreateIndex
CREATE INDEX "Entry_contactId_idx" ON "Entry"("contactId");

-- CreateIndex
CREATE INDEX "EntryCriterion_unitRef_number_idx" ON "EntryCriterion"("unitRef", "number");

-- CreateIndex
CREATE INDEX "EntryEvent_entryId_createdAt_idx" ON "EntryEvent"("entryId", "createdAt");

-- CreateIndex
CREATE INDEX "Decision_assessorId_createdAt_idx" ON "Decision"("assessorId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Decision_entryId_entryVersion_key" ON "Decision"("entryId", "entryVersion");

-- CreateIndex
CREATE UNIQUE INDEX "IqaSample_decisionId_key" ON "IqaSample"("decisionId");

-- CreateIndex
CREATE INDEX "IqaSample_iqaId_week_idx" ON "IqaSample"("iqaId", "week");

-- CreateIndex
CREATE UNIQUE INDEX "WitnessRequest_entryId_witnessId_key" ON "WitnessRequest"("entryId", "witnessId");

-- CreateIndex
CREATE INDEX "Contact_nextContactAt_idx" ON "Contact"("nextContactAt");

-- CreateIndex
CREATE INDEX "Contact_lastInteractionAt_idx" ON "Contact"("lastInteractionAt");

-- CreateIndex
CREATE UNIQUE INDEX "Contact_ownerId_name_key" ON "Contact"("ownerId", "name");

-- CreateIndex
CREATE INDEX "ContactReview_learnerId_createdAt_idx" ON "ContactReview"("learnerId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "OutboxMessage_dedupeKey_key" ON "OutboxMessage"("dedupeKey");

-- CreateIndex
CREATE INDEX "OutboxMessage_status_nextAttemptAt_idx" ON "OutboxMessage"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "PostedMessage_entryId_purpose_idx" ON "PostedMessage"("entryId", "purpose");

-- CreateIndex
CREATE INDEX "PostedMessage_contactId_idx" ON "PostedMessage"("contactId");

-- CreateIndex
CREATE UNIQUE INDEX "PostedMessage_platform_conversationId_messageId_key" ON "PostedMessage"("platform", "conversationId", "messageId");

-- CreateIndex
CREATE INDEX "ProcessedRequest_createdAt_idx" ON "ProcessedRequest"("createdAt");

-- AddForeignKey
ALTER TABLE "Person" ADD CONSTRAINT "Person_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Enrolment" ADD CONSTRAINT "Enrolment_learnerId_fkey" FOREIGN KEY ("learnerId") REFERENCES "Person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Enrolment" ADD CONSTRAINT "Enrolment_assessorId_fkey" FOREIGN KEY ("assessorId") REFERENCES "Person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Enrolment" ADD CONSTRAINT "Enrolment_managerId_fkey" FOREIGN KEY ("managerId") REFERENCES "Person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Enrolment" ADD CONSTRAINT "Enrolment_iqaId_fkey" FOREIGN KEY ("iqaId") REFERENCES "Person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LearnerSettings" ADD CONSTRAINT "LearnerSettings_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Entry" ADD CONSTRAINT "Entry_learnerId_fkey" FOREIGN KEY ("learnerId") REFERENCES "Person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Entry" ADD CONSTRAINT "Entry_enrolmentId_fkey" FOREIGN KEY ("enrolmentId") REFERENCES "Enrolment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Entry" ADD CONSTRAINT "Entry_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EntryCriterion" ADD CONSTRAINT "EntryCriterion_entryId_fkey" FOREIGN KEY ("entryId") REFERENCES "Entry"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EntryEvent" ADD CONSTRAINT "EntryEvent_entryId_fkey" FOREIGN KEY ("entryId") REFERENCES "Entry"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Decision" ADD CONSTRAINT "Decision_entryId_fkey" FOREIGN KEY ("entryId") REFERENCES "Entry"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IqaSample" ADD CONSTRAINT "IqaSample_decisionId_fkey" FOREIGN KEY ("decisionId") REFERENCES "Decision"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WitnessRequest" ADD CONSTRAINT "WitnessRequest_entryId_fkey" FOREIGN KEY ("entryId") REFERENCES "Entry"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Contact" ADD CONSTRAINT "Contact_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "Person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ContactReview" ADD CONSTRAINT "ContactReview_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConversationRef" ADD CONSTRAINT "ConversationRef_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The entry history is append-only: rows are never deleted, and only the free-text note may be
-- rewritten (a GDPR erasure replaces a contact's details in it with a marker). The retention job
-- removes a whole learner's history by setting evidence.allow_history_delete for its transaction.
CREATE FUNCTION "entry_event_append_only"() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF current_setting('evidence.allow_history_delete', true) = 'on' THEN
      RETURN OLD;
    END IF;
    RAISE EXCEPTION 'EntryEvent is append-only: history rows cannot be deleted';
  END IF;
  IF NEW."id" <> OLD."id" OR NEW."entryId" <> OLD."entryId" OR NEW."action" <> OLD."action"
     OR NEW."actorId" IS DISTINCT FROM OLD."actorId" OR NEW."fromStatus" IS DISTINCT FROM OLD."fromStatus"
     OR NEW."toStatus" IS DISTINCT FROM OLD."toStatus" OR NEW."createdAt" <> OLD."createdAt" THEN
    RAISE EXCEPTION 'EntryEvent is append-only: only the note may be redacted';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "EntryEvent_append_only"
  BEFORE UPDATE OR DELETE ON "EntryEvent"
  FOR EACH ROW EXECUTE FUNCTION "entry_event_append_only"();
