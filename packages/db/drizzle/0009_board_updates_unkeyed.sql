ALTER TABLE "board_updates" DROP CONSTRAINT "board_updates_session_id_sessions_id_fk";
