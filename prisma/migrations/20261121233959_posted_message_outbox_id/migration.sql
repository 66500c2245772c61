-- AlterTable
ALTER TABLE "PostedMessage" ADD COLUMN     "outboxId" TEXT;
