;;; dap-mode-session.el --- an edit-and-continue session in Emacs's dap-mode, without a screen  -*- lexical-binding: t; -*-
;;
;; emacs --batch -l dap-mode-session.el HOTFRAME PROGRAM BREAK-LINE FROM TO
;;
;; Runs PROGRAM under `hotframe dap' (HOTFRAME: the command, e.g. "node /…/main.js") through
;; dap-mode, as a user would: a breakpoint on BREAK-LINE, launch; at the stop the buffer's FROM is
;; replaced by TO and the buffer saved; the paused function restarts; `dap-restart-frame' restarts
;; it again; the breakpoint is removed and the program continues to its end.  Prints one line per step ("step: …") and the program's
;; output; exits 0 when every step was seen, 1 otherwise.

(require 'package)
(package-initialize)
(require 'dap-mode)
(require 'dap-ui) ; dap-mode reads its exception filters (dap-exception-breakpoints)

(setq dap-auto-configure-features nil
      dap-inhibit-io nil
      lsp-enable-file-watchers nil
      make-backup-files nil
      create-lockfiles nil)

(let* ((args command-line-args-left)
       (hotframe (split-string (nth 0 args)))
       (program (expand-file-name (nth 1 args)))
       (break-line (string-to-number (nth 2 args)))
       (from (nth 3 args))
       (to (nth 4 args))
       (events '())
       (session nil))
  (setq command-line-args-left nil)
  (advice-add 'dap--on-event :before
              (lambda (debug-session event)
                (setq session debug-session)
                (push (cons (gethash "event" event) (gethash "body" event)) events)))
  (cl-labels ((say (format-string &rest values)
                (princ (concat (apply #'format format-string values) "\n")))
              (fail (what)
                (say "FAILED: %s" what)
                (say "events: %S" (reverse (mapcar #'car events)))
                (kill-emacs 1))
              (await (what predicate)
                ;; Waits on the adapter's output (dap-mode's process filter) until PREDICATE holds.
                (let ((deadline (+ (float-time) 30)))
                  (while (not (funcall predicate))
                    (when (> (float-time) deadline) (fail (concat "timed out waiting for " what)))
                    (accept-process-output nil 0.05))))
              (stopped-count ()
                (length (seq-filter (lambda (e) (equal (car e) "stopped")) events)))
              (last-stop ()
                (cdr (seq-find (lambda (e) (equal (car e) "stopped")) events)))
              (frame-line ()
                (and session (dap--debug-session-active-frame session)
                     (gethash "line" (dap--debug-session-active-frame session)))))
    (dap-register-debug-provider
     "hotframe"
     (lambda (conf) (plist-put conf :dap-server-path hotframe)))
    (find-file program)
    (goto-char (point-min))
    (forward-line (1- break-line))
    (dap-breakpoint-add)
    (dap-debug (list :type "hotframe" :request "launch" :name "hotframe" :program program))
    (await "the breakpoint's stop" (lambda () (and (= (stopped-count) 1) (frame-line))))
    (say "step: stopped (%s) at line %s" (gethash "reason" (last-stop)) (frame-line))
    (with-current-buffer (find-buffer-visiting program)
      (goto-char (point-min))
      (unless (search-forward from nil t) (fail (concat "no " from " in the program")))
      (replace-match to t t)
      (save-buffer))
    (await "the edit's outcome" (lambda () (assoc "hotframe/edit" events)))
    (say "step: hotframe/edit %s" (gethash "outcome" (cdr (assoc "hotframe/edit" events))))
    (await "the stop after the restart"
           (lambda () (and (= (stopped-count) 2) (equal (gethash "reason" (last-stop)) "restart"))))
    (setf (dap--debug-session-active-frame session) nil)
    (dap--select-thread-id session (gethash "threadId" (last-stop)) t)
    (await "the restarted frame" #'frame-line)
    (say "step: stopped (restart) at line %s" (frame-line))
    ;; M-x dap-restart-frame: the client's own restartFrame request, on the paused frame.
    (dap-restart-frame session (gethash "id" (dap--debug-session-active-frame session)))
    (await "the stop after restartFrame" (lambda () (and (= (stopped-count) 3) (frame-line))))
    (say "step: restartFrame stopped (%s) at line %s" (gethash "reason" (last-stop)) (frame-line))
    (with-current-buffer (find-buffer-visiting program)
      (goto-char (point-min))
      (forward-line (1- break-line))
      (dap-breakpoint-toggle))
    ;; The answer to setBreakpoints (the session's breakpoints of the file: none now).
    (await "the breakpoint's removal"
           (lambda () (null (gethash program (dap--debug-session-breakpoints session)))))
    (dap-continue session (gethash "threadId" (last-stop)))
    (await "the program's exit" (lambda () (assoc "exited" events)))
    (say "step: exited with %s" (gethash "exitCode" (cdr (assoc "exited" events))))
    (with-current-buffer (dap--debug-session-output-buffer session)
      (say "output: %s" (string-trim (buffer-string))))
    (kill-emacs 0)))
