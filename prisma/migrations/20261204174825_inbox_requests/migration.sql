-- CreateEnum
CREATE TYPE "InboxStatus" AS ENUM ('pending', 'done');

-- CreateTable
CREATE TABLE "InboxRequest" (
    "key" TEXT NOT NULL,
    "platform" "Platform" NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "personId" TEXT NOT NULL,
    "input" JSONB,
    "status" "InboxStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lockedUntil" TIMESTAMP(3),
    "result" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "doneAt" TIMESTAMP(3),

    CONSTRAINT "InboxRequest_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "InboxRequest_status_lockedUntil_idx" ON "InboxRequest"("status", "lockedUntil");

-- CreateIndex
CREATE INDEX "InboxRequest_doneAt_idx" ON "InboxRequest"("doneAt");

-- CreateIndex
CREATE INDEX "InboxRequest_personId_idx" ON "InboxRequest"("personId");
