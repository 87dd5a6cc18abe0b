/* perturb.h: force-included (gcc -include) into the learner's queue for the linearizable
 * stage. Every atomic operation the queue makes (C11 <stdatomic.h>, C++ std::atomic, the
 * __atomic and __sync builtins: all expand to the __atomic and __sync builtins below) first
 * calls crack_perturb(), which the driver defines: on a thread that asked for it, now and
 * then it spins for a moment or yields the processor, seeded.
 *
 * Why: on two cores, the window between two atomic steps of a call (a slot claimed and not
 * yet published, a lock held for a few instructions) is a few nanoseconds, and a history
 * almost never catches another thread inside it. A pause before an atomic step stretches
 * that window as preemption would, at any step. A linearizable queue stays linearizable
 * under any timing; a queue that is not is then caught in seconds.
 *
 * Self-referential macros are not expanded again inside their own expansion, so the
 * builtin itself is called after the pause. */
#ifndef CRACK_PERTURB_H
#define CRACK_PERTURB_H

#ifdef __cplusplus
extern "C" {
#endif
void crack_perturb(void);
#ifdef __cplusplus
}
#endif

#define __atomic_load_n(...) (crack_perturb(), __atomic_load_n(__VA_ARGS__))
#define __atomic_load(...) (crack_perturb(), __atomic_load(__VA_ARGS__))
#define __atomic_store_n(...) (crack_perturb(), __atomic_store_n(__VA_ARGS__))
#define __atomic_store(...) (crack_perturb(), __atomic_store(__VA_ARGS__))
#define __atomic_exchange_n(...) (crack_perturb(), __atomic_exchange_n(__VA_ARGS__))
#define __atomic_exchange(...) (crack_perturb(), __atomic_exchange(__VA_ARGS__))
#define __atomic_compare_exchange_n(...) (crack_perturb(), __atomic_compare_exchange_n(__VA_ARGS__))
#define __atomic_compare_exchange(...) (crack_perturb(), __atomic_compare_exchange(__VA_ARGS__))
#define __atomic_fetch_add(...) (crack_perturb(), __atomic_fetch_add(__VA_ARGS__))
#define __atomic_fetch_sub(...) (crack_perturb(), __atomic_fetch_sub(__VA_ARGS__))
#define __atomic_fetch_and(...) (crack_perturb(), __atomic_fetch_and(__VA_ARGS__))
#define __atomic_fetch_or(...) (crack_perturb(), __atomic_fetch_or(__VA_ARGS__))
#define __atomic_fetch_xor(...) (crack_perturb(), __atomic_fetch_xor(__VA_ARGS__))
#define __atomic_add_fetch(...) (crack_perturb(), __atomic_add_fetch(__VA_ARGS__))
#define __atomic_sub_fetch(...) (crack_perturb(), __atomic_sub_fetch(__VA_ARGS__))
#define __atomic_test_and_set(...) (crack_perturb(), __atomic_test_and_set(__VA_ARGS__))
#define __atomic_clear(...) (crack_perturb(), __atomic_clear(__VA_ARGS__))
#define __sync_bool_compare_and_swap(...) (crack_perturb(), __sync_bool_compare_and_swap(__VA_ARGS__))
#define __sync_val_compare_and_swap(...) (crack_perturb(), __sync_val_compare_and_swap(__VA_ARGS__))
#define __sync_fetch_and_add(...) (crack_perturb(), __sync_fetch_and_add(__VA_ARGS__))
#define __sync_fetch_and_sub(...) (crack_perturb(), __sync_fetch_and_sub(__VA_ARGS__))
#define __sync_add_and_fetch(...) (crack_perturb(), __sync_add_and_fetch(__VA_ARGS__))
#define __sync_sub_and_fetch(...) (crack_perturb(), __sync_sub_and_fetch(__VA_ARGS__))
#define __sync_lock_test_and_set(...) (crack_perturb(), __sync_lock_test_and_set(__VA_ARGS__))

#endif
